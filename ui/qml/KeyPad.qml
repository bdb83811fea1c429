import QtQuick

// A large numeric keypad. Digits keep the telephone order in every language.
Grid {
    id: pad
    property string prefix: "key"
    signal digit(string d)
    signal erase()
    LayoutMirroring.enabled: false
    LayoutMirroring.childrenInherit: true
    columns: 3
    spacing: Theme.gap / 2
    readonly property real key: Theme.touch * 1.05
    Repeater {
        model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "", "0", "⌫"]
        delegate: Rectangle {
            required property string modelData
            objectName: modelData === "⌫" ? pad.prefix + "-erase" : pad.prefix + "-" + modelData
            width: pad.key * 1.4; height: pad.key
            radius: Theme.radius
            // The blank key keeps its cell (a Grid would close the gap of an
            // invisible item and move 0 under 7), so hide it by opacity.
            opacity: modelData === "" ? 0 : 1
            enabled: modelData !== ""
            color: tap.pressed ? Theme.selected : Theme.surface
            border.color: Theme.outline
            border.width: 2
            Text {
                anchors.centerIn: parent
                visible: modelData !== "⌫"
                text: modelData
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.text
            }
            Image {
                anchors.centerIn: parent
                visible: modelData === "⌫"
                source: iconDir + "backspace.svg"
                width: pad.key * 0.55; height: width
                sourceSize.width: width; sourceSize.height: height
            }
            TapHandler { id: tap; onTapped: modelData === "⌫" ? pad.erase() : pad.digit(modelData) }
        }
    }
}
