pragma Singleton
import QtQuick

// Colours, type scale and touch targets. Sizes follow the window (portrait 1080x1920 or
// landscape 1920x1080) and never fall below 12 mm for anything a finger must hit.
QtObject {
    property real dpi: 96
    property real windowWidth: 1080
    property real windowHeight: 1920
    readonly property bool landscape: windowWidth > windowHeight
    readonly property real unit: Math.min(windowWidth, windowHeight) / 1080
    readonly property real mm: dpi / 25.4
    readonly property real touch: Math.max(12 * mm, 104 * unit)
    readonly property real gap: 24 * unit
    readonly property real margin: (landscape ? 64 : 48) * unit
    readonly property real radius: 18 * unit
    readonly property real contentWidth: Math.min(windowWidth - 2 * margin, 1400 * unit)

    readonly property real fontSmall: 26 * unit
    readonly property real fontBody: 32 * unit
    readonly property real fontLarge: 40 * unit
    readonly property real fontTitle: 52 * unit
    readonly property real fontHuge: 80 * unit

    readonly property color background: "#F3F6F8"
    readonly property color surface: "#FFFFFF"
    readonly property color primary: "#0B4F6C"
    readonly property color primaryDark: "#083A50"
    readonly property color primaryText: "#FFFFFF"
    readonly property color confirm: "#006233"
    readonly property color danger: "#A4161A"
    readonly property color dangerSoft: "#FCE8E8"
    readonly property color text: "#15202B"
    readonly property color muted: "#44525F"
    readonly property color outline: "#B8C4CE"
    readonly property color selected: "#DCEBF3"
    readonly property color warning: "#7A4B00"
    readonly property color warningSoft: "#FFF1D6"
}
