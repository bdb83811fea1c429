import QtQuick

// Back and forward at the bottom of a screen. Arrows point the reading direction.
Item {
    id: bar
    property string forwardText: qsTr("Continue")
    property string forwardName: "next"
    property string forwardKind: "primary"
    property bool forwardEnabled: true
    signal forward()
    signal back()
    height: Theme.touch + 2 * Theme.gap

    KButton {
        objectName: "back"
        anchors { left: parent.left; verticalCenter: parent.verticalCenter }
        kind: "secondary"
        icon: "arrow-dark.svg"
        iconMirrored: !vm.rtl
        text: qsTr("Back")
        onClicked: bar.back()
    }
    KButton {
        objectName: bar.forwardName
        anchors { right: parent.right; verticalCenter: parent.verticalCenter }
        kind: bar.forwardKind
        active: bar.forwardEnabled
        icon: "arrow.svg"
        iconAfter: true
        iconMirrored: vm.rtl
        text: bar.forwardText
        onClicked: bar.forward()
    }
}
