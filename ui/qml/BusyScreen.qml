import QtQuick

Item {
    Column {
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.gap * 2
        ScreenTitle { horizontalAlignment: Text.AlignHCenter; text: qsTr("Saving your request…") }
        BodyText { horizontalAlignment: Text.AlignHCenter; text: qsTr("Please wait a moment.") }
    }
}
