import QtQuick

// One form field, drawn by its type. Reads its data from the presenter, writes through vm.answer.
Column {
    id: fieldView
    property var field: ({ "id": "", "type": "", "label": "", "help": "", "value": "", "display": "", "error": "", "options": [], "min": 0, "max": 0 })
    width: parent ? parent.width : 0
    spacing: Theme.gap / 2

    Text {
        width: parent.width
        text: fieldView.field.label
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.text
    }
    Text {
        visible: fieldView.field.help !== ""
        width: parent.width
        text: fieldView.field.help
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontSmall
        color: Theme.muted
    }

    // Read-only value from the card.
    Rectangle {
        visible: fieldView.field.type === "prefill"
        width: parent.width
        height: Theme.touch
        radius: Theme.radius
        color: Theme.selected
        Row {
            anchors { fill: parent; leftMargin: Theme.gap; rightMargin: Theme.gap }
            spacing: Theme.gap
            Image {
                source: iconDir + "lock.svg"
                width: Theme.fontBody; height: width
                sourceSize.width: width; sourceSize.height: height
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                width: parent.width - Theme.fontBody * 2 - Theme.gap * 2
                text: fieldView.field.display
                // Follow the layout, not the value's script: a Latin number in an
                // Arabic form sits on the right like its label.
                horizontalAlignment: Text.AlignLeft
                elide: Text.ElideRight
                font.pixelSize: Theme.fontBody
                color: Theme.text
                anchors.verticalCenter: parent.verticalCenter
            }
        }
    }
    Text {
        visible: fieldView.field.type === "prefill"
        width: parent.width
        text: qsTr("From your card")
        font.pixelSize: Theme.fontSmall
        color: Theme.muted
    }

    // One choice among options; yes/no is the same with two options.
    Flow {
        visible: fieldView.field.type === "choice" || fieldView.field.type === "yesno"
        width: parent.width
        spacing: Theme.gap / 2
        Repeater {
            model: fieldView.field.type === "yesno"
                   ? [{ "value": "yes", "label": qsTr("Yes"), "selected": fieldView.field.value === "yes" },
                      { "value": "no", "label": qsTr("No"), "selected": fieldView.field.value === "no" }]
                   : fieldView.field.options
            delegate: Rectangle {
                required property var modelData
                objectName: "option-" + fieldView.field.id + "-" + modelData.value
                width: fieldView.field.type === "yesno" ? (fieldView.width - Theme.gap / 2) / 2
                       : Theme.landscape ? (fieldView.width - Theme.gap / 2) / 2 : fieldView.width
                height: Math.max(Theme.touch, optionText.implicitHeight + Theme.gap)
                radius: Theme.radius
                color: modelData.selected ? Theme.primary : (tap.pressed ? Theme.selected : Theme.surface)
                border.color: modelData.selected ? Theme.primary : Theme.outline
                border.width: 3
                Text {
                    id: optionText
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                    text: modelData.label
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontBody
                    font.bold: modelData.selected
                    color: modelData.selected ? Theme.primaryText : Theme.text
                }
                TapHandler { id: tap; onTapped: vm.answer(fieldView.field.id, modelData.value) }
            }
        }
    }

    // A small whole number, with − and + (no keyboard needed).
    Row {
        visible: fieldView.field.type === "number"
        spacing: Theme.gap
        readonly property int current: fieldView.field.value === "" ? 0 : parseInt(fieldView.field.value)
        KButton {
            objectName: "minus-" + fieldView.field.id
            kind: "secondary"; text: "−"; fontSize: Theme.fontTitle
            implicitWidth: Theme.touch * 1.3
            active: parent.current > fieldView.field.min
            onClicked: vm.answer(fieldView.field.id, String(parent.current - 1))
        }
        Rectangle {
            width: Theme.touch * 1.6; height: Theme.touch; radius: Theme.radius
            color: Theme.surface; border.color: Theme.outline; border.width: 2
            Text {
                anchors.centerIn: parent
                text: fieldView.field.display
                font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.text
            }
        }
        KButton {
            objectName: "plus-" + fieldView.field.id
            kind: "secondary"; text: "+"; fontSize: Theme.fontTitle
            implicitWidth: Theme.touch * 1.3
            active: parent.current < fieldView.field.max
            onClicked: vm.answer(fieldView.field.id,
                                 String(fieldView.field.value === "" ? fieldView.field.min : parent.current + 1))
        }
    }

    // A phone number typed on the on-screen keypad: below the number in portrait,
    // beside it in landscape so the whole keypad stays on screen.
    Grid {
        id: phoneRow
        visible: fieldView.field.type === "phone"
        width: parent.width
        columns: Theme.landscape ? 2 : 1
        spacing: Theme.gap
        readonly property real displayWidth: Theme.landscape ? width - phonePad.width - spacing : width
        Rectangle {
            width: phoneRow.displayWidth; height: Theme.touch; radius: Theme.radius
            color: Theme.surface
            border.color: fieldView.field.error !== "" ? Theme.danger : Theme.primary
            border.width: 3
            Text {
                objectName: "phoneValue-" + fieldView.field.id
                anchors.centerIn: parent
                text: fieldView.field.value === "" ? "06 •• •• •• ••" : fieldView.field.value
                textFormat: Text.PlainText
                font.pixelSize: Theme.fontTitle; font.bold: fieldView.field.value !== ""
                color: fieldView.field.value === "" ? Theme.muted : Theme.text
            }
        }
        Item {
            width: Theme.landscape ? phonePad.width : phoneRow.width
            height: phonePad.height
            KeyPad {
                id: phonePad
                anchors.horizontalCenter: parent.horizontalCenter
                prefix: "key-" + fieldView.field.id
                onDigit: function(d) { if (fieldView.field.value.length < 13) vm.answer(fieldView.field.id, fieldView.field.value + d) }
                onErase: vm.answer(fieldView.field.id, fieldView.field.value.slice(0, -1))
            }
        }
    }

    Text {
        objectName: "error-" + fieldView.field.id
        visible: fieldView.field.error !== ""
        width: parent.width
        text: fieldView.field.error
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontBody
        font.bold: true
        color: Theme.danger
    }
}
