import QtQuick

// The language switch: each language named in its own script. Switching keeps the session.
Row {
    spacing: Theme.gap / 2
    Repeater {
        model: vm.languages
        delegate: Rectangle {
            required property var modelData
            objectName: "switch-" + modelData.code
            width: Math.max(Theme.touch * 1.8, name.implicitWidth + Theme.gap * 2)
            height: Theme.touch
            radius: Theme.radius
            readonly property bool current: vm.language === modelData.code
            color: current ? Theme.primary : (tap.pressed ? Theme.selected : Theme.surface)
            border.width: 3
            border.color: Theme.primary
            Text {
                id: name
                anchors.centerIn: parent
                text: modelData.name
                font.pixelSize: Theme.fontBody
                font.bold: true
                color: parent.current ? Theme.primaryText : Theme.primary
            }
            TapHandler { id: tap; onTapped: vm.setLanguage(modelData.code) }
        }
    }
}
