import QtQuick

// Procedures grouped by agency, as large tiles with icons.
Flickable {
    id: screen
    contentHeight: content.implicitHeight + 2 * Theme.margin
    clip: true
    boundsBehavior: Flickable.StopAtBounds

    Column {
        id: content
        x: (screen.width - width) / 2
        y: Theme.margin
        width: Theme.contentWidth
        spacing: Theme.gap * 1.5

        ScreenTitle { text: qsTr("What would you like to do?") }

        Repeater {
            model: vm.screen.agencies || []
            delegate: Column {
                required property var modelData
                width: content.width
                spacing: Theme.gap
                Row {
                    width: parent.width
                    spacing: Theme.gap
                    Image {
                        source: iconDir + modelData.icon + ".svg"
                        width: Theme.fontTitle; height: width
                        sourceSize.width: width; sourceSize.height: height
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        width: parent.width - Theme.fontTitle - Theme.gap
                        text: modelData.name
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: Theme.primary
                        anchors.verticalCenter: parent.verticalCenter
                    }
                }
                Flow {
                    width: parent.width
                    spacing: Theme.gap
                    Repeater {
                        model: modelData.procedures
                        delegate: Rectangle {
                            required property var modelData
                            objectName: "proc-" + modelData.id
                            readonly property int columns: Theme.landscape ? 2 : 1
                            width: (content.width - (columns - 1) * Theme.gap) / columns
                            height: Math.max(Theme.touch * 1.6, tile.implicitHeight + 2 * Theme.gap)
                            radius: Theme.radius
                            color: tap.pressed ? Theme.selected : Theme.surface
                            border.color: Theme.outline
                            border.width: 2
                            Row {
                                id: tile
                                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                                spacing: Theme.gap
                                Image {
                                    source: iconDir + modelData.icon + ".svg"
                                    width: Theme.touch * 0.8; height: width
                                    sourceSize.width: width; sourceSize.height: height
                                    anchors.verticalCenter: parent.verticalCenter
                                }
                                Column {
                                    width: parent.width - Theme.touch * 0.8 - Theme.gap
                                    spacing: Theme.gap / 3
                                    BodyText { text: modelData.title; font.bold: true }
                                    BodyText { text: modelData.summary; font.pixelSize: Theme.fontSmall; color: Theme.muted }
                                }
                            }
                            TapHandler { id: tap; onTapped: vm.choose(modelData.id) }
                        }
                    }
                }
            }
        }
    }
}
