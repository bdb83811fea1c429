import QtQuick

// One step of a procedure: its fields, progress, back and continue.
Item {
    id: screen
    readonly property var s: vm.screen.step || ({ "fields": [] })

    // Portrait: the step's heading above its fields. Landscape: the heading in a
    // side column, so the fields (a keypad, a list of options) get the full height.
    Column {
        id: top
        anchors { top: parent.top; left: parent.left; margins: Theme.margin }
        width: Theme.landscape ? (parent.width - 2 * Theme.margin) * 0.36 : parent.width - 2 * Theme.margin
        spacing: Theme.gap / 2
        BodyText { text: screen.s.procedure || ""; color: Theme.muted; font.pixelSize: Theme.fontSmall }
        BodyText { objectName: "progress"; text: screen.s.progress || ""; color: Theme.primary; font.bold: true }
        Rectangle {
            width: parent.width; height: 10 * Theme.unit; radius: height / 2; color: Theme.selected
            Rectangle {
                height: parent.height; radius: parent.radius; color: Theme.primary
                width: parent.width * ((screen.s.index || 0) + 1) / Math.max(1, screen.s.count || 1)
            }
        }
        ScreenTitle { text: screen.s.title || "" }
    }

    Flickable {
        id: flick
        anchors {
            top: Theme.landscape ? parent.top : top.bottom
            topMargin: Theme.landscape ? Theme.margin : Theme.gap
            left: Theme.landscape ? top.right : parent.left
            leftMargin: Theme.landscape ? Theme.margin : 0
            right: parent.right
            rightMargin: Theme.landscape ? Theme.margin : 0
            bottom: nav.top
        }
        contentHeight: fields.implicitHeight + Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: fields
            x: (flick.width - width) / 2
            width: Math.min(flick.width, Theme.contentWidth)
            spacing: Theme.gap * 2
            Repeater {
                model: screen.s.fields
                delegate: FieldView { required property var modelData; field: modelData }
            }
        }
    }

    NavBar {
        id: nav
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        onForward: vm.next()
        onBack: vm.back()
    }
}
