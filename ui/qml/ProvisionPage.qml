import QtQuick

// The technician sets the kiosk up from the office's provisioning file on a USB stick:
// what it would change (setting, value now, value after), apply, and this kiosk's key
// written back onto the stick for the office to enrol it. Values are identifiers or
// fingerprints: always left to right.
Rectangle {
    id: root
    color: Theme.background
    readonly property var v: desk.view
    MouseArea { anchors.fill: parent }

    Rectangle {
        id: bar
        width: parent.width
        height: Theme.touch + 2 * Theme.gap
        color: Theme.surface
        LanguageBar {
            anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        }
        KButton {
            objectName: "provisionBack"
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Back")
            onClicked: desk.closeProvision()
        }
    }

    Flickable {
        objectName: "provisionScroll"
        anchors { top: bar.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        contentHeight: col.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: col
            x: (parent.width - width) / 2
            y: Theme.margin
            width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth * 1.2)
            spacing: Theme.gap

            ScreenTitle { text: qsTr("Set up from a USB stick") }
            BodyText {
                text: qsTr("The office prepares a provisioning file: the address and keys for sending, and the trusted certificates. Nothing changes until you apply it.")
                font.pixelSize: Theme.fontSmall
                color: Theme.muted
            }
            BodyText { objectName: "provisionLine"; visible: text !== ""; font.bold: true; text: root.v.line || "" }
            BodyText { objectName: "provisionNotice"; visible: text !== ""; color: Theme.confirm; font.bold: true
                       text: root.v.notice || "" }
            BodyText { objectName: "provisionProblem"; visible: text !== ""; color: Theme.danger; font.bold: true
                       text: root.v.problem || root.v.error || "" }
            BodyText {
                visible: !!root.v.issuer
                text: qsTr("Prepared by: %1").arg(root.v.issuer || "")
            }

            Repeater {
                model: root.v.changes || []
                delegate: Rectangle {
                    id: change
                    required property var modelData
                    required property int index
                    objectName: "change-" + index
                    width: col.width
                    height: changeCol.implicitHeight + Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.outline
                    border.width: 2
                    Column {
                        id: changeCol
                        x: Theme.gap; y: Theme.gap / 2
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.gap / 4
                        LayoutMirroring.enabled: false
                        LayoutMirroring.childrenInherit: true
                        Text { text: change.modelData.setting; font.pixelSize: Theme.fontSmall; font.bold: true
                               color: Theme.primary }
                        Text { width: parent.width; text: change.modelData.old; elide: Text.ElideMiddle
                               font.pixelSize: Theme.fontSmall; color: Theme.muted; font.strikeout: true }
                        Text { width: parent.width; text: change.modelData.new; elide: Text.ElideMiddle
                               font.pixelSize: Theme.fontBody; color: Theme.text }
                    }
                }
            }

            KButton {
                objectName: "provisionApply"
                visible: !!root.v.canApply
                width: parent.width
                kind: "confirm"
                text: qsTr("Apply these changes")
                onClicked: desk.provisionApply()
            }
            Flow {
                width: parent.width
                spacing: Theme.gap
                KButton {
                    objectName: "provisionScan"
                    kind: "secondary"
                    fontSize: Theme.fontSmall
                    text: qsTr("Look at the USB stick again")
                    onClicked: desk.provisionScan()
                }
                KButton {
                    objectName: "provisionExport"
                    kind: "secondary"
                    fontSize: Theme.fontSmall
                    text: qsTr("Write this kiosk's key to the stick")
                    onClicked: desk.provisionExport()
                }
            }
        }
    }
}
