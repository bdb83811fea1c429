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
            bottom: keys.visible && !Theme.landscape ? keys.top : nav.top
            bottomMargin: keys.visible && !Theme.landscape ? Theme.gap : 0
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
                delegate: FieldView {
                    required property var modelData
                    field: modelData
                    // Keep the box being typed in above the keyboard.
                    function track() { if (field.focused) { screen.focused = this; Qt.callLater(screen.reveal, this) } }
                    onFieldChanged: track()
                    Component.onCompleted: track()
                }
            }
        }
    }

    property Item focused: null
    // The keyboard opening shrinks the fields' area: show the focused box again.
    Connections {
        target: flick
        function onHeightChanged() { if (screen.focused) Qt.callLater(screen.reveal, screen.focused) }
        function onContentHeightChanged() { if (screen.focused) Qt.callLater(screen.reveal, screen.focused) }
    }

    function reveal(item) {
        if (!item || !item.field || !item.field.focused) return
        const y = item.y
        const bottom = y + item.height + Theme.gap
        if (bottom > flick.contentY + flick.height)
            flick.contentY = Math.min(bottom - flick.height, Math.max(0, flick.contentHeight - flick.height))
        if (y < flick.contentY)
            flick.contentY = y
    }

    // The on-screen keyboard of the focused field. Portrait: docked above the buttons,
    // under the fields. Landscape: in the side column under the step's heading, so the
    // fields keep the full height on the other side.
    Keyboard {
        id: keys
        objectName: "keyboard"
        visible: (vm.keyboard.name || "") !== ""
        layout: vm.keyboard.name ? vm.keyboard : ({ "name": "", "start": "", "units": 1, "rows": 0, "compact": false, "pages": [] })
        anchors.bottom: nav.top
        anchors.bottomMargin: Theme.gap
        anchors.horizontalCenter: Theme.landscape ? top.horizontalCenter : parent.horizontalCenter
        width: Theme.landscape ? top.width : Math.min(parent.width - 2 * Theme.margin, parent.width)
        maxHeight: Theme.landscape ? nav.y - top.y - top.height - 2 * Theme.gap : -1
        height: implicitHeight
        onKey: function(keyData) { vm.key(keyData) }
    }

    // Not eligible: say where to go instead (the message is next to the answer) and
    // offer the list of procedures.
    KButton {
        objectName: "choose-another"
        visible: screen.s.ineligible === true
        anchors { bottom: nav.top; bottomMargin: Theme.gap; horizontalCenter: parent.horizontalCenter }
        kind: "secondary"
        text: qsTr("Choose another procedure")
        onClicked: vm.chooseAnother()
    }

    NavBar {
        id: nav
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        onForward: vm.next()
        onBack: vm.back()
    }
}
