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
        replaceEnter: Transition {
            enabled: kioskAnimations
            NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 160 }
        }
        replaceExit: Transition {
            enabled: kioskAnimations
            NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 120 }
        }
    }

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
