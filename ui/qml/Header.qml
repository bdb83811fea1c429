import QtQuick

// Top bar on every screen after Welcome: the kiosk's name, the language switch, and a
// way to end the session (with a confirmation, since it erases the answers).
Rectangle {
    id: header
    height: Theme.touch + 2 * Theme.gap
    color: Theme.surface

    Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 2; color: Theme.outline }

    Text {
        id: brand
        anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        text: qsTr("Guichet")
        font.pixelSize: Theme.fontLarge
        font.bold: true
        color: Theme.primary
        visible: Theme.landscape
    }

    LanguageBar {
        anchors { left: Theme.landscape ? undefined : parent.left
                  horizontalCenter: Theme.landscape ? parent.horizontalCenter : undefined
                  leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
    }

    KButton {
        objectName: "endSession"
        anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        kind: "secondary"
        text: qsTr("End")
        fontSize: Theme.fontSmall
        visible: vm.state !== "submitting" && vm.state !== "done"
        onClicked: confirmEnd.visible = true
    }

    ConfirmEnd { id: confirmEnd; parent: header.Window.contentItem }
}
