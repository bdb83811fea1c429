pragma ComponentBehavior: Bound
import QtQuick

// An on-screen keyboard drawn from a layout of kiosk/keyboards.py (pages -> rows -> keys).
// It switches its pages itself (page keys, shift, one-shot capitals) and reports every key
// touched through key(keyData); the text is edited by the view model (apply_key), not here.
// Rows marked rtl (Arabic letters) are drawn right to left; digits and pads never mirror.
Item {
    id: keyboard
    property var layout: ({ "name": "", "start": "", "units": 1, "rows": 0, "compact": false, "pages": [] })
    property string page: layout.start
    signal key(var keyData)

    onLayoutChanged: page = layout.start

    readonly property var currentPage: {
        const pages = keyboard.layout.pages || []
        for (let i = 0; i < pages.length; i++)
            if (pages[i].name === keyboard.page) return pages[i]
        return pages.length > 0 ? pages[0] : ({ "name": "", "rows": [], "shift": null, "shifted": false, "oneshot": false })
    }
    readonly property real spacing: Math.round(Theme.gap / 3)
    // At most this tall (the side column of a landscape screen); -1: no limit.
    property real maxHeight: -1
    readonly property real keyHeight: {
        const wanted = Math.round(Theme.touch * (keyboard.layout.compact ? 0.95 : 0.85))
        const rows = Math.max(1, keyboard.layout.rows)
        if (keyboard.maxHeight <= 0) return wanted
        return Math.max(Math.round(Theme.touch * 0.6),
                        Math.min(wanted, Math.floor((keyboard.maxHeight - (rows - 1) * spacing) / rows)))
    }
    // One width unit (a letter key plus its gap): the widest row fills the width; the
    // pads keep finger-sized keys instead of stretching over a landscape screen.
    readonly property real unit: {
        const units = Math.max(1, keyboard.layout.units)
        const fill = (keyboard.width + spacing) / units
        return keyboard.layout.compact ? Math.min(fill, Theme.touch * 1.6) : fill
    }

    implicitWidth: Theme.contentWidth
    implicitHeight: Math.max(0, keyboard.layout.rows * (keyHeight + spacing) - spacing)

    LayoutMirroring.enabled: false
    LayoutMirroring.childrenInherit: true

    function press(keyData) {
        const action = keyData.action
        let next = ""
        if (action === "shift")
            next = keyboard.currentPage.shift || ""
        else if (action && action.indexOf("page:") === 0)
            next = action.slice(5)
        else if (!action && keyboard.currentPage.oneshot)
            next = keyboard.currentPage.shift || ""
        keyboard.key(keyData)
        // The keys are rebuilt for the new page: not from inside this key's own handler.
        if (next !== "")
            Qt.callLater(keyboard.showPage, next)
    }
    function showPage(name) { keyboard.page = name }

    Column {
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: keyboard.spacing
        Repeater {
            model: keyboard.currentPage.rows
            delegate: Row {
                id: keyRow
                required property var modelData
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: keyboard.spacing
                layoutDirection: modelData.rtl ? Qt.RightToLeft : Qt.LeftToRight
                Repeater {
                    model: keyRow.modelData.keys
                    delegate: Rectangle {
                        id: keyItem
                        required property var modelData
                        readonly property string action: modelData.action || ""
                        readonly property bool isPage: action.indexOf("page:") === 0
                        readonly property bool strong: action === "done"
                                                        || (action === "shift" && keyboard.currentPage.shifted)
                        objectName: "kbd-" + keyboard.layout.name + "-" + modelData.id
                        width: keyboard.unit * modelData.width - keyboard.spacing
                        height: keyboard.keyHeight
                        radius: Theme.radius * 0.6
                        opacity: modelData.blank ? 0 : 1
                        enabled: !modelData.blank
                        color: {
                            if (strong) return tap.pressed ? Theme.primaryDark : Theme.primary
                            if (tap.pressed) return Theme.selected
                            return action !== "" && action !== "space" ? "#E6ECF0" : Theme.surface
                        }
                        border.color: modelData.alt ? Theme.primary : Theme.outline
                        border.width: modelData.alt ? 3 : 2

                        Accessible.role: Accessible.Button
                        Accessible.name: modelData.name || modelData.label

                        Text {
                            anchors.fill: parent
                            anchors.margins: 4
                            visible: keyItem.action !== "backspace" && keyItem.action !== "shift"
                            text: keyItem.modelData.label
                            textFormat: Text.PlainText
                            horizontalAlignment: Text.AlignHCenter
                            verticalAlignment: Text.AlignVCenter
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: Theme.fontSmall * 0.8
                            font.pixelSize: keyItem.action === "" && keyItem.modelData.label.length <= 2
                                            ? Theme.fontLarge : Theme.fontBody
                            font.bold: keyItem.action !== "space"
                            color: keyItem.strong ? Theme.primaryText
                                   : keyItem.action === "space" ? Theme.muted
                                   : keyItem.isPage ? Theme.primary : Theme.text
                        }
                        Image {
                            anchors.centerIn: parent
                            visible: keyItem.action === "backspace" || keyItem.action === "shift"
                            source: keyItem.action === "backspace" ? iconDir + "backspace.svg"
                                    : keyItem.action === "shift" ? iconDir + (keyItem.strong ? "arrow.svg" : "arrow-dark.svg")
                                    : ""
                            rotation: keyItem.action === "shift" ? -90 : 0
                            width: Math.min(keyboard.keyHeight * 0.55, keyItem.width * 0.8); height: width
                            sourceSize.width: width; sourceSize.height: height
                        }
                        TapHandler { id: tap; onTapped: keyboard.press(keyItem.modelData) }
                    }
                }
            }
        }
    }
}
