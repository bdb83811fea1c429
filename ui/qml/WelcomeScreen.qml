import QtQuick

// Attract screen: a greeting in the three languages and three large language buttons.
Item {
    id: screen
    Column {
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.gap * 2

        Image {
            anchors.horizontalCenter: parent.horizontalCenter
            source: iconDir + "card.svg"
            width: Theme.touch * 2.2; height: width
            sourceSize.width: width; sourceSize.height: height
            SequentialAnimation on y {
                running: kioskAnimations
                loops: Animation.Infinite
                NumberAnimation { from: 0; to: 18 * Theme.unit; duration: 900; easing.type: Easing.InOutQuad }
                NumberAnimation { from: 18 * Theme.unit; to: 0; duration: 900; easing.type: Easing.InOutQuad }
            }
        }

        // Out of service: the agent's message in the three languages, and no way in.
        Repeater {
            model: vm.screen.outOfService || []
            delegate: Text {
                required property var modelData
                objectName: "outOfService-" + modelData.code
                width: parent.width
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: modelData.text
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: Theme.danger
            }
        }

        // One block per language: stacked in portrait, side by side in landscape.
        Grid {
            id: choices
            visible: (vm.screen.outOfService || []).length === 0
            width: parent.width
            columns: Theme.landscape ? vm.languages.length : 1
            columnSpacing: Theme.gap * 2
            rowSpacing: Theme.gap * 2
            Repeater {
            model: vm.languages
            delegate: Column {
                required property var modelData
                width: Theme.landscape ? (choices.width - (choices.columns - 1) * choices.columnSpacing) / choices.columns
                                       : choices.width
                spacing: Theme.gap / 2
                Text {
                    width: parent.width
                    // Same height in every script, so the three blocks line up.
                    height: Theme.fontTitle * 1.7
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                    text: modelData.greeting
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    color: Theme.text
                }
                Rectangle {
                    objectName: "lang-" + modelData.code
                    anchors.horizontalCenter: parent.horizontalCenter
                    width: Math.min(parent.width, 820 * Theme.unit)
                    height: Theme.touch * (Theme.landscape ? 1.8 : 1.35)
                    radius: Theme.radius
                    color: tap.pressed ? Theme.primaryDark : Theme.primary
                    Column {
                        anchors.centerIn: parent
                        Text {
                            anchors.horizontalCenter: parent.horizontalCenter
                            text: modelData.name
                            font.pixelSize: Theme.fontLarge
                            font.bold: true
                            color: Theme.primaryText
                        }
                        Text {
                            anchors.horizontalCenter: parent.horizontalCenter
                            width: Math.min(implicitWidth, choices.width / choices.columns - 2 * Theme.gap)
                            horizontalAlignment: Text.AlignHCenter
                            wrapMode: Text.Wrap
                            text: modelData.prompt
                            font.pixelSize: Theme.fontSmall
                            color: Theme.primaryText
                        }
                    }
                    TapHandler { id: tap; onTapped: vm.start(modelData.code) }
                }
            }
            }
        }
    }
}
