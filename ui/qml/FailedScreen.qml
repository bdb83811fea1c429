import QtQuick

Item {
    Column {
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.gap * 2
        ScreenTitle { horizontalAlignment: Text.AlignHCenter; text: qsTr("Something went wrong"); color: Theme.danger }
        BodyText { horizontalAlignment: Text.AlignHCenter; text: vm.screen.error }
        KButton {
            objectName: "failedEnd"
            anchors.horizontalCenter: parent.horizontalCenter
            text: qsTr("Back to the start")
            onClicked: vm.cancel()
        }
    }
}
