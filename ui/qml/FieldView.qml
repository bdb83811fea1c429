import QtQuick

// One form field, drawn by its type. Reads its data from the presenter, writes through
// the view model (answer, toggle, focusOn). Typed answers are entered with the docked
// on-screen keyboard: touching the box opens the keyboard for that field.
Column {
    id: fieldView
    property var field: ({ "id": "", "type": "", "label": "", "help": "", "hint": "", "value": "",
                           "values": [], "display": "", "entry": "", "error": "", "options": [],
                           "min": 0, "max": 0, "typed": false, "stepper": false, "focused": false,
                           "multiline": false, "readOnly": false })
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
                objectName: "value-" + fieldView.field.id
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

    // One choice among options (yes/no is the same with two), or several (multichoice,
    // with a check box on each).
    Flow {
        visible: ["choice", "yesno", "multichoice"].indexOf(fieldView.field.type) >= 0
        width: parent.width
        spacing: Theme.gap / 2
        readonly property bool many: fieldView.field.type === "multichoice"
        Repeater {
            model: fieldView.field.type === "yesno"
                   ? [{ "value": "yes", "label": qsTr("Yes"), "selected": fieldView.field.value === "yes" },
                      { "value": "no", "label": qsTr("No"), "selected": fieldView.field.value === "no" }]
                   : fieldView.field.options
            delegate: Rectangle {
                id: option
                required property var modelData
                objectName: "option-" + fieldView.field.id + "-" + modelData.value
                readonly property bool many: fieldView.field.type === "multichoice"
                width: fieldView.field.type === "yesno" ? (fieldView.width - Theme.gap / 2) / 2
                       : Theme.landscape ? (fieldView.width - Theme.gap / 2) / 2 : fieldView.width
                height: Math.max(Theme.touch, optionRow.implicitHeight + Theme.gap)
                radius: Theme.radius
                color: modelData.selected && !many ? Theme.primary : (tap.pressed || (modelData.selected && many) ? Theme.selected : Theme.surface)
                border.color: modelData.selected ? Theme.primary : Theme.outline
                border.width: 3
                Row {
                    id: optionRow
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                    spacing: Theme.gap
                    Rectangle {
                        visible: option.many
                        width: Theme.touch * 0.5; height: width; radius: Theme.radius / 2
                        anchors.verticalCenter: parent.verticalCenter
                        color: option.modelData.selected ? Theme.primary : Theme.surface
                        border.color: Theme.primary; border.width: 3
                        Image {
                            anchors.centerIn: parent
                            visible: option.modelData.selected
                            source: iconDir + "check.svg"
                            width: parent.width * 0.7; height: width
                            sourceSize.width: width; sourceSize.height: height
                        }
                    }
                    Text {
                        width: parent.width - (option.many ? Theme.touch * 0.5 + Theme.gap : 0)
                        text: option.modelData.label
                        wrapMode: Text.Wrap
                        anchors.verticalCenter: parent.verticalCenter
                        font.pixelSize: Theme.fontBody
                        font.bold: option.modelData.selected
                        color: option.modelData.selected && !option.many ? Theme.primaryText : Theme.text
                    }
                }
                TapHandler {
                    id: tap
                    onTapped: option.many ? vm.toggle(fieldView.field.id, option.modelData.value)
                                          : vm.answer(fieldView.field.id, option.modelData.value)
                }
            }
        }
    }

    // A small whole number, with − and + (no keyboard needed).
    Row {
        visible: fieldView.field.stepper === true
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

    // A typed answer: the box shows what was typed (or an example), the keyboard docked
    // at the bottom of the screen types into the focused box.
    Rectangle {
        id: entry
        objectName: "entry-" + fieldView.field.id
        visible: fieldView.field.typed === true
        width: parent.width
        height: Math.max(fieldView.field.multiline ? Theme.touch * 2.2 : Theme.touch,
                         entryText.implicitHeight + Theme.gap)
        radius: Theme.radius
        color: Theme.surface
        border.color: fieldView.field.error !== "" ? Theme.danger
                      : fieldView.field.focused ? Theme.primary : Theme.outline
        border.width: fieldView.field.focused ? 4 : 2
        readonly property bool empty: fieldView.field.type === "date" ? fieldView.field.value === "" : fieldView.field.entry === ""
        // Identifiers, numbers and addresses read left to right in every language.
        readonly property bool ltr: ["phone", "rib", "cin", "email", "amount", "number", "date"].indexOf(fieldView.field.type) >= 0
        Text {
            id: entryText
            objectName: "entryText-" + fieldView.field.id
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
            text: entry.empty ? fieldView.field.hint
                  : fieldView.field.entry + (fieldView.field.focused && fieldView.field.type !== "date" ? "▏" : "")
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            horizontalAlignment: entry.ltr ? (vm.rtl ? Text.AlignRight : Text.AlignLeft) : Text.AlignLeft
            LayoutMirroring.enabled: false
            font.pixelSize: entry.ltr && !entry.empty ? Theme.fontTitle : Theme.fontBody
            font.bold: !entry.empty && entry.ltr
            color: entry.empty ? Theme.muted : Theme.text
        }
        TapHandler { onTapped: vm.focusOn(fieldView.field.id) }
    }
    // A complete date, written out in the language: the citizen checks day and month.
    Text {
        visible: fieldView.field.type === "date" && fieldView.field.display !== fieldView.field.value
                 && fieldView.field.display !== ""
        width: parent.width
        text: fieldView.field.display
        font.pixelSize: Theme.fontBody
        color: Theme.primary
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
