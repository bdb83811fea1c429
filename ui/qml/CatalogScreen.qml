import QtQuick

// Procedures grouped by category, as large tiles with icons, and a search box that
// finds a procedure from a few letters in any of the three scripts.
Item {
    id: screen
    readonly property var sr: vm.screen.search || ({ "text": "", "active": false, "results": [], "count": "", "focused": false })

    component Tile: Rectangle {
        id: tileBox
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
                source: iconDir + tileBox.modelData.icon + ".svg"
                width: Theme.touch * 0.8; height: width
                sourceSize.width: width; sourceSize.height: height
                anchors.verticalCenter: parent.verticalCenter
            }
            Column {
                width: parent.width - Theme.touch * 0.8 - Theme.gap
                spacing: Theme.gap / 3
                BodyText { text: tileBox.modelData.title; font.bold: true }
                BodyText { text: tileBox.modelData.summary; font.pixelSize: Theme.fontSmall; color: Theme.muted }
            }
        }
        TapHandler { id: tap; onTapped: vm.choose(tileBox.modelData.id) }
    }

    Flickable {
        id: flick
        anchors { left: parent.left; right: parent.right; top: parent.top; bottom: keys.visible ? keys.top : parent.bottom
                  bottomMargin: keys.visible ? Theme.gap : 0 }
        contentHeight: content.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        Column {
            id: content
            x: (flick.width - width) / 2
            y: Theme.margin
            width: Theme.contentWidth
            spacing: Theme.gap * 1.5

            ScreenTitle { text: qsTr("What would you like to do?") }

            // The search box: touching it opens the keyboard of the language.
            Rectangle {
                id: box
                objectName: "search"
                width: parent.width
                height: Theme.touch
                radius: height / 2
                color: Theme.surface
                border.color: screen.sr.focused ? Theme.primary : Theme.outline
                border.width: screen.sr.focused ? 4 : 2
                Row {
                    anchors { fill: parent; leftMargin: Theme.gap * 1.5; rightMargin: Theme.gap }
                    spacing: Theme.gap
                    Image {
                        source: iconDir + "search.svg"
                        width: Theme.fontTitle; height: width
                        sourceSize.width: width; sourceSize.height: height
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    Text {
                        objectName: "searchText"
                        width: parent.width - Theme.fontTitle * 2 - Theme.gap * 2
                        anchors.verticalCenter: parent.verticalCenter
                        text: screen.sr.text !== "" ? screen.sr.text + (screen.sr.focused ? "▏" : "")
                                                    : qsTr("Search a procedure")
                        textFormat: Text.PlainText
                        elide: Text.ElideLeft
                        font.pixelSize: Theme.fontBody
                        color: screen.sr.text !== "" ? Theme.text : Theme.muted
                    }
                }
                TapHandler { onTapped: vm.focusOn("search") }
            }

            // Search results.
            Column {
                visible: screen.sr.active === true
                width: parent.width
                spacing: Theme.gap
                BodyText { objectName: "searchCount"; text: screen.sr.count; color: Theme.muted }
                BodyText {
                    visible: screen.sr.results.length === 0
                    text: qsTr("No procedure matches. Try another word, or ask an agent.")
                    font.bold: true
                }
                Flow {
                    width: parent.width
                    spacing: Theme.gap
                    Repeater {
                        model: screen.sr.results
                        delegate: Tile {}
                    }
                }
            }

            // Every procedure, by category.
            Repeater {
                model: screen.sr.active ? [] : (vm.screen.categories || [])
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
                            delegate: Tile {}
                        }
                    }
                }
            }
        }
    }

    Keyboard {
        id: keys
        objectName: "keyboard"
        visible: (vm.keyboard.name || "") !== ""
        layout: vm.keyboard.name ? vm.keyboard : ({ "name": "", "start": "", "units": 1, "rows": 0, "compact": false, "pages": [] })
        anchors { bottom: parent.bottom; bottomMargin: Theme.margin; horizontalCenter: parent.horizontalCenter }
        width: Math.min(parent.width - 2 * Theme.margin, Theme.landscape ? parent.width * 0.7 : parent.width)
        height: implicitHeight
        onKey: function(keyData) { vm.key(keyData) }
    }
}
