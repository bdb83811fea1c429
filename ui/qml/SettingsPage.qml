import QtQuick

// The technician's settings: every setting by group with its value. Choices are set by
// touch; text and numbers open an editor with the on-screen keyboard. A refused value
// keeps the previous one and shows the precise rule.
Rectangle {
    id: root
    color: Theme.background
    readonly property var v: desk.view
    readonly property var editing: v.editing || ({})
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
            objectName: "settingsBack"
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Back")
            onClicked: desk.closeSettings()
        }
    }

    Flickable {
        objectName: "settingsScroll"
        visible: !root.editing.name
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

            ScreenTitle { text: qsTr("Kiosk settings") }
            BodyText { objectName: "settingsNotice"; visible: text !== ""; color: Theme.confirm; font.bold: true; text: root.v.notice || "" }
            BodyText { objectName: "settingsError"; visible: text !== ""; color: Theme.danger; font.bold: true; text: root.v.error || "" }

            Repeater {
                model: root.v.groups || []
                delegate: Column {
                    id: group
                    required property var modelData
                    width: col.width
                    spacing: Theme.gap / 2
                    BodyText { text: group.modelData.title; font.bold: true; color: Theme.primary }
                    Repeater {
                        model: group.modelData.items
                        delegate: Rectangle {
                            id: row
                            required property var modelData
                            objectName: "setting-" + modelData.name
                            width: group.width
                            height: rowCol.implicitHeight + Theme.gap
                            radius: Theme.radius
                            color: Theme.surface
                            border.color: Theme.outline
                            border.width: 2
                            Column {
                                id: rowCol
                                x: Theme.gap; y: Theme.gap / 2
                                width: parent.width - 2 * Theme.gap
                                spacing: Theme.gap / 3
                                // Setting names and values are identifiers: always left to right.
                                Text { text: row.modelData.name; font.pixelSize: Theme.fontSmall; color: Theme.muted
                                       LayoutMirroring.enabled: false }
                                // What the setting does, in the desk's language.
                                BodyText { text: row.modelData.help || ""; visible: text !== ""
                                           font.pixelSize: Theme.fontSmall; color: Theme.muted }
                                Text {
                                    visible: !row.modelData.choice
                                    width: parent.width
                                    text: row.modelData.value
                                    elide: Text.ElideMiddle
                                    font.pixelSize: Theme.fontBody
                                    font.bold: true
                                    color: Theme.text
                                    horizontalAlignment: Text.AlignLeft
                                    LayoutMirroring.enabled: false
                                }
                                Flow {
                                    visible: row.modelData.choice
                                    width: parent.width
                                    spacing: Theme.gap / 2
                                    Repeater {
                                        model: row.modelData.options
                                        delegate: KButton {
                                            required property var modelData
                                            required property int index
                                            objectName: "option-" + row.modelData.name + "-" + index
                                            kind: modelData.selected ? "primary" : "secondary"
                                            fontSize: Theme.fontSmall
                                            text: modelData.label
                                            onClicked: desk.chooseSetting(row.modelData.name, index)
                                        }
                                    }
                                }
                            }
                            TapHandler {
                                enabled: !row.modelData.choice
                                onTapped: desk.editSetting(row.modelData.name)
                            }
                        }
                    }
                }
            }
        }
    }

    // The editor: the value being typed, the rule, the keyboard, save or cancel.
    Column {
        objectName: "settingEditor"
        visible: !!root.editing.name
        anchors { top: bar.bottom; topMargin: Theme.margin; horizontalCenter: parent.horizontalCenter }
        width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth * 1.2)
        spacing: Theme.gap
        Text { text: root.editing.name || ""; font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.primary
               LayoutMirroring.enabled: false }
        Rectangle {
            width: parent.width
            height: Theme.touch * 1.1
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.primary
            border.width: 4
            Text {
                objectName: "settingText"
                anchors { fill: parent; margins: Theme.gap }
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: Text.AlignLeft
                LayoutMirroring.enabled: false
                elide: Text.ElideLeft
                text: root.editing.text || ""
                font.pixelSize: Theme.fontBody
                color: Theme.text
            }
        }
        BodyText { text: root.editing.rule || ""; font.pixelSize: Theme.fontSmall; color: Theme.muted }
        BodyText { objectName: "editorError"; visible: text !== ""; color: Theme.danger; font.bold: true; text: root.v.error || "" }
        Keyboard {
            objectName: "settingKeyboard"
            width: parent.width
            layout: desk.keyboard.name ? desk.keyboard : ({ "name": "", "start": "", "units": 1, "rows": 0, "compact": false, "pages": [] })
            onKey: (k) => desk.settingKey(k)
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.gap
            KButton { objectName: "settingCancel"; kind: "secondary"; text: qsTr("Cancel"); onClicked: desk.cancelSetting() }
            KButton { objectName: "settingSave"; kind: "confirm"; text: qsTr("Save"); onClicked: desk.saveSetting() }
        }
    }
}
