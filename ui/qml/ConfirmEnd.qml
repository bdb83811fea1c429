import QtQuick

// "End and erase?" over the whole window.
Rectangle {
    id: overlay
    anchors.fill: parent
    visible: false
    z: 100
    color: "#99000000"
    TapHandler { onTapped: overlay.visible = false }

    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 900 * Theme.unit)
        height: box.implicitHeight + 2 * Theme.margin
        radius: Theme.radius
        color: Theme.surface
        TapHandler {}  // taps inside the box do not close it
        Column {
            id: box
            anchors { fill: parent; margins: Theme.margin }
            spacing: Theme.gap * 1.5
            Text {
                width: parent.width
                text: qsTr("End your session? Everything you entered will be erased.")
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontLarge
                color: Theme.text
            }
            Row {
                spacing: Theme.gap
                KButton {
                    objectName: "endConfirm"
                    kind: "danger"
                    text: qsTr("Yes, end")
                    onClicked: { overlay.visible = false; vm.cancel() }
                }
                KButton {
                    objectName: "endKeep"
                    kind: "secondary"
                    text: qsTr("No, continue")
                    onClicked: overlay.visible = false
                }
            }
        }
    }
}
