import QtQuick

// The technician's catalog screen: the edition in use, packages found on a USB stick
// (touch one to install it), installed editions (touch one to use it again), and the
// outcome of the last action with its precise reason. Touch only. Shown by its own
// window (`kiosk technician`) and on the staff desk; ``model`` is its view model
// (ui/technician.py), ``backVisible`` adds a way back to the desk.
Item {
    id: root
    property var model: null
    property bool backVisible: false
    signal back()
    Rectangle { anchors.fill: parent; color: Theme.background }
    MouseArea { anchors.fill: parent }

    readonly property var s: model ? model.screen : ({})

    Rectangle {
        id: header
        width: parent.width
        height: Theme.touch + 2 * Theme.gap
        color: Theme.surface
        LanguageBar {
            anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        }
        KButton {
            objectName: "catalogBack"
            visible: root.backVisible
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Back")
            onClicked: root.back()
        }
    }

    Flickable {
        anchors { top: header.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        contentHeight: content.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: content
            x: (parent.width - width) / 2
            y: Theme.margin
            width: Theme.contentWidth
            spacing: Theme.gap * 1.5

            ScreenTitle { text: qsTr("Procedure catalog") }
            BodyText { objectName: "inUse"; text: root.s.inUse || ""; font.bold: true }

            // The outcome of the last action.
            Rectangle {
                objectName: "outcome"
                visible: root.s.outcome !== null && root.s.outcome !== undefined
                width: parent.width
                height: outcomeText.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: visible && root.s.outcome.ok ? "#E3F4E8" : "#FBE4E4"
                border.color: visible && root.s.outcome.ok ? Theme.confirm : Theme.danger
                border.width: 3
                Column {
                    id: outcomeText
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.gap }
                    spacing: Theme.gap / 2
                    BodyText {
                        objectName: "outcomeText"
                        text: root.s.outcome ? root.s.outcome.text : ""
                        font.bold: true
                        color: root.s.outcome && root.s.outcome.ok ? Theme.text : Theme.danger
                    }
                    Text {
                        objectName: "outcomeDetail"
                        visible: text !== ""
                        width: parent.width
                        text: root.s.outcome ? root.s.outcome.detail : ""
                        textFormat: Text.PlainText
                        wrapMode: Text.WrapAnywhere
                        LayoutMirroring.enabled: false
                        horizontalAlignment: Text.AlignLeft
                        font.pixelSize: Theme.fontSmall
                        font.family: "Noto Sans"
                        color: Theme.muted
                    }
                }
            }

            BodyText { text: qsTr("Packages on the USB stick"); font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.primary }
            BodyText {
                visible: (root.s.packages || []).length === 0
                text: qsTr("No package found. Plug in the USB stick with the catalog package.")
                color: Theme.muted
            }
            Repeater {
                model: root.s.packages || []
                delegate: Rectangle {
                    required property var modelData
                    required property int index
                    objectName: "package-" + index
                    width: content.width
                    height: Theme.touch * 1.3
                    radius: Theme.radius
                    color: tap.pressed ? Theme.selected : Theme.surface
                    border.color: Theme.outline; border.width: 2
                    Row {
                        anchors { fill: parent; margins: Theme.gap }
                        spacing: Theme.gap
                        Image {
                            source: iconDir + "document.svg"
                            width: Theme.touch * 0.6; height: width
                            sourceSize.width: width; sourceSize.height: height
                            anchors.verticalCenter: parent.verticalCenter
                        }
                        Text {
                            width: parent.width - Theme.touch * 0.6 - installLabel.width - 2 * Theme.gap
                            anchors.verticalCenter: parent.verticalCenter
                            text: modelData.name
                            elide: Text.ElideMiddle
                            font.pixelSize: Theme.fontBody
                            color: Theme.text
                        }
                        Text {
                            id: installLabel
                            anchors.verticalCenter: parent.verticalCenter
                            text: qsTr("Install")
                            font.pixelSize: Theme.fontBody; font.bold: true
                            color: Theme.primary
                        }
                    }
                    TapHandler { id: tap; onTapped: root.model.importPackage(modelData.path) }
                }
            }
            KButton {
                objectName: "rescan"
                kind: "secondary"
                text: qsTr("Look again")
                onClicked: root.model.refresh()
            }

            BodyText { text: qsTr("Installed editions"); font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.primary }
            BodyText {
                visible: (root.s.editions || []).length === 0
                text: qsTr("None yet: the kiosk uses the catalog it was delivered with.")
                color: Theme.muted
            }
            Repeater {
                model: root.s.editions || []
                delegate: Rectangle {
                    required property var modelData
                    objectName: "edition-" + modelData.edition
                    width: content.width
                    height: Theme.touch * 1.3
                    radius: Theme.radius
                    color: modelData.active ? Theme.selected : Theme.surface
                    border.color: modelData.active ? Theme.primary : Theme.outline
                    border.width: modelData.active ? 3 : 2
                    Column {
                        anchors { left: parent.left; right: useLabel.left; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                        BodyText { text: modelData.label; font.bold: true }
                        BodyText { text: modelData.date; font.pixelSize: Theme.fontSmall; color: Theme.muted }
                    }
                    Text {
                        id: useLabel
                        anchors { right: parent.right; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter }
                        text: modelData.active ? qsTr("In use") : qsTr("Use this edition")
                        font.pixelSize: Theme.fontBody; font.bold: true
                        color: modelData.active ? Theme.confirm : Theme.primary
                    }
                    TapHandler { enabled: !modelData.active; onTapped: root.model.rollbackTo(modelData.edition) }
                }
            }
        }
    }
}
