import QtQuick
import QtQuick.Controls
import QtQuick.Window

// The kiosk window: a header with the language switch, and a StackView whose screen
// follows the core session's state. Arabic mirrors the whole layout.
Window {
    id: root
    width: kioskWidth
    height: kioskHeight
    visible: true
    visibility: kioskFullscreen ? Window.FullScreen : Window.Windowed
    flags: kioskFullscreen ? (Qt.Window | Qt.FramelessWindowHint) : Qt.Window
    color: Theme.background
    title: "Guichet"
    // Production: a close request (Alt+F4, the compositor) never closes the kiosk.
    onClosing: (close) => {
        if (kioskFullscreen) close.accepted = false
    }

    LayoutMirroring.enabled: vm.rtl
    LayoutMirroring.childrenInherit: true

    Binding { target: Theme; property: "windowWidth"; value: root.width }
    Binding { target: Theme; property: "windowHeight"; value: root.height }
    Binding { target: Theme; property: "dpi"; value: kioskDpi }

    readonly property var screens: ({
        "welcome": welcome, "identify": identify, "reading": identify, "card_error": identify,
        "access": access,
        "confirm": confirm, "catalog": catalog, "intro": intro, "wizard": wizard,
        "review": review, "submitting": busy, "done": done, "submit_failed": failed
    })

    Component { id: welcome; WelcomeScreen {} }
    Component { id: identify; IdentifyScreen {} }
    Component { id: access; AccessScreen {} }
    Component { id: confirm; ConfirmScreen {} }
    Component { id: catalog; CatalogScreen {} }
    Component { id: intro; IntroScreen {} }
    Component { id: wizard; WizardScreen {} }
    Component { id: review; ReviewScreen {} }
    Component { id: busy; BusyScreen {} }
    Component { id: done; DoneScreen {} }
    Component { id: failed; FailedScreen {} }

    Header {
        id: header
        anchors { top: parent.top; left: parent.left; right: parent.right }
        visible: vm.state !== "welcome"
    }

    StackView {
        id: stack
        objectName: "stack"
        anchors { top: header.visible ? header.bottom : parent.top; left: parent.left
                  right: parent.right; bottom: parent.bottom }
        initialItem: welcome
        property Component current: welcome
        // Under the staff desk nothing of the citizen's screens can be touched.
        enabled: desk.mode === "closed"
        replaceEnter: Transition {
            enabled: kioskAnimations
            NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 160 }
        }
        replaceExit: Transition {
            enabled: kioskAnimations
            NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 120 }
        }
    }

    // Staff: hold the top corner (the end side) of Welcome for three seconds. Nothing
    // shows it; the desk model only opens from Welcome.
    MouseArea {
        objectName: "staffCorner"
        anchors { top: parent.top; right: parent.right }
        width: Theme.touch * 1.5; height: width
        enabled: vm.state === "welcome" && desk.mode === "closed"
        pressAndHoldInterval: 3000
        onPressAndHold: desk.open()
    }

    // The discreet sync indicator: a small dot in the bottom corner of Welcome (green when
    // everything is sent, grey while submissions wait). Citizens are never told more.
    Rectangle {
        objectName: "syncDot"
        visible: vm.state === "welcome" && desk.mode === "closed"
        anchors { bottom: parent.bottom; right: parent.right; margins: Theme.gap }
        width: 14 * Theme.unit; height: width; radius: width / 2
        color: desk.sync.ok && desk.sync.pending === 0 ? "#2E7D32" : "#9AA5B1"
        property bool ok: desk.sync.ok && desk.sync.pending === 0
    }

    // An assisted session says so on every screen.
    Rectangle {
        objectName: "assistedBanner"
        visible: !!vm.screen.assisted && desk.mode === "closed"
        anchors { bottom: parent.bottom; horizontalCenter: parent.horizontalCenter; bottomMargin: Theme.gap / 2 }
        width: assistedText.implicitWidth + 2 * Theme.gap
        height: assistedText.implicitHeight + Theme.gap
        radius: height / 2
        color: Theme.primary
        opacity: 0.9
        Text {
            id: assistedText
            anchors.centerIn: parent
            text: qsTr("Assisted by agent %1").arg(vm.screen.assisted || "")
            font.pixelSize: Theme.fontSmall
            color: Theme.primaryText
        }
    }

    // Inactivity: a countdown before the session ends and is wiped. Any touch continues.
    Rectangle {
        objectName: "idleWarning"
        anchors.fill: parent
        visible: (vm.screen.idleLeft !== undefined && vm.screen.idleLeft >= 0) && desk.mode === "closed"
        color: "#B0000000"
        MouseArea { anchors.fill: parent }
        Rectangle {
            anchors.centerIn: parent
            width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth)
            height: idleColumn.implicitHeight + 2 * Theme.margin
            radius: Theme.radius
            color: Theme.surface
            Column {
                id: idleColumn
                x: Theme.margin; y: Theme.margin
                width: parent.width - 2 * Theme.margin
                spacing: Theme.gap
                ScreenTitle { horizontalAlignment: Text.AlignHCenter; text: qsTr("Are you still there?") }
                Text {
                    objectName: "idleSeconds"
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    text: vm.screen.idleLeft >= 0 ? vm.screen.idleLeftText : ""
                    font.pixelSize: Theme.fontHuge
                    font.bold: true
                    color: Theme.danger
                }
                BodyText {
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("Your session will end and everything you entered will be erased.")
                }
                KButton {
                    objectName: "stillHere"
                    anchors.horizontalCenter: parent.horizontalCenter
                    kind: "confirm"
                    text: qsTr("Continue")
                    onClicked: vm.stillHere()
                }
            }
        }
    }

    // The card was taken out mid-procedure: everything is kept, hidden behind an opaque
    // screen, until the same card is back (proven by the core) or the time runs out.
    Rectangle {
        objectName: "cardAway"
        anchors.fill: parent
        visible: !!vm.screen.cardAway && desk.mode === "closed"
        color: Theme.background
        MouseArea { anchors.fill: parent }
        Column {
            anchors.centerIn: parent
            width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth)
            spacing: Theme.gap * 1.5
            Image {
                anchors.horizontalCenter: parent.horizontalCenter
                source: iconDir + "card.svg"
                width: Theme.touch * 2; height: width
                sourceSize.width: width; sourceSize.height: height
            }
            ScreenTitle {
                horizontalAlignment: Text.AlignHCenter
                text: vm.screen.cardAway === "checking" ? qsTr("Checking your card…")
                                                        : qsTr("Put your card back on the reader")
            }
            Text {
                objectName: "cardAwaySeconds"
                width: parent.width
                visible: vm.screen.cardAway === "waiting"
                horizontalAlignment: Text.AlignHCenter
                text: vm.screen.cardAwayLeftText || ""
                font.pixelSize: Theme.fontHuge
                font.bold: true
                color: Theme.danger
            }
            BodyText {
                horizontalAlignment: Text.AlignHCenter
                text: vm.screen.cardAway === "checking"
                      ? qsTr("Leave it on the reader. Only the card you started with can continue.")
                      : qsTr("What you entered is kept for a few seconds. Put the same card back to continue; otherwise everything is erased.")
            }
            KButton {
                objectName: "demoCardBack"
                visible: vm.demo && vm.screen.cardAway === "waiting"
                anchors.horizontalCenter: parent.horizontalCenter
                text: qsTr("Use the demo card")
                onClicked: vm.useDemoCard()
            }
            KButton {
                objectName: "cardAwayEnd"
                anchors.horizontalCenter: parent.horizontalCenter
                kind: "danger"
                text: qsTr("End and erase")
                onClicked: vm.cancel()
            }
        }
    }

    Loader {
        objectName: "deskLayer"
        anchors.fill: parent
        active: desk.mode !== "closed"
        sourceComponent: ({ "dashboard": dashboard, "settings": settingsPage, "catalog": catalogPage,
                            "provision": provisionPage })[desk.mode] || signIn
    }
    Component {
        id: catalogPage
        CatalogAdminPage { model: desk.catalog; backVisible: true; onBack: desk.closeCatalog() }
    }
    Component { id: signIn; StaffSignIn {} }
    Component { id: provisionPage; ProvisionPage {} }
    Component { id: settingsPage; SettingsPage {} }
    Component { id: dashboard; AgentDesk {} }

    Connections {
        target: vm
        function onChanged() {
            var next = root.screens[vm.state]
            if (next !== stack.current) {
                stack.current = next
                stack.replace(null, next, {}, kioskAnimations ? StackView.Transition : StackView.Immediate)
            }
        }
    }
}
