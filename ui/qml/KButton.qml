import QtQuick

// A large touch button. kind: "primary", "confirm", "secondary", "danger".
Rectangle {
    id: button
    property string text: ""
    property string kind: "primary"
    property string icon: ""
    property bool iconMirrored: false
    property bool iconAfter: false
    property bool active: true
    property real fontSize: Theme.fontBody
    // Long labels (sentences) wrap inside the button's width, which then grows in height.
    property bool wrap: false
    signal clicked()

    implicitHeight: wrap ? Math.max(Theme.touch, label.implicitHeight + Theme.gap) : Theme.touch
    implicitWidth: Math.max(Theme.touch * 2.4, label.implicitWidth + (icon ? Theme.touch : 0) + 2 * Theme.gap)
    radius: Theme.radius
    opacity: active ? 1 : 0.45
    color: {
        if (kind === "secondary") return tap.pressed ? Theme.selected : Theme.surface
        if (kind === "confirm") return tap.pressed ? Qt.darker(Theme.confirm, 1.2) : Theme.confirm
        if (kind === "danger") return tap.pressed ? Qt.darker(Theme.danger, 1.2) : Theme.danger
        return tap.pressed ? Theme.primaryDark : Theme.primary
    }
    border.width: kind === "secondary" ? 3 : 0
    border.color: Theme.primary

    Row {
        anchors.centerIn: parent
        spacing: Theme.gap / 2
        Image {
            visible: button.icon !== "" && !button.iconAfter
            source: button.icon !== "" ? iconDir + button.icon : ""
            width: Theme.touch * 0.45; height: width
            sourceSize.width: width; sourceSize.height: height
            anchors.verticalCenter: parent.verticalCenter
            mirror: button.iconMirrored
        }
        Text {
            id: label
            text: button.text
            width: button.wrap ? button.width - 2 * Theme.gap - (button.icon ? Theme.touch : 0) : implicitWidth
            wrapMode: button.wrap ? Text.Wrap : Text.NoWrap
            horizontalAlignment: Text.AlignHCenter
            font.pixelSize: button.fontSize
            font.bold: true
            color: button.kind === "secondary" ? Theme.primary : Theme.primaryText
            anchors.verticalCenter: parent.verticalCenter
        }
        Image {
            visible: button.icon !== "" && button.iconAfter
            source: button.icon !== "" ? iconDir + button.icon : ""
            width: Theme.touch * 0.45; height: width
            sourceSize.width: width; sourceSize.height: height
            anchors.verticalCenter: parent.verticalCenter
            mirror: button.iconMirrored
        }
    }
    TapHandler {
        id: tap
        enabled: button.active
        onTapped: button.clicked()
    }
}
