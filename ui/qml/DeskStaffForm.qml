import QtQuick

// A staff form on the desk (kiosk/desk.py StaffForm): a new account (staff number and
// PINs on the keypad, the name on the on-screen keyboard, the role by touch), a new PIN
// for a staff member, one's own PIN (the current one first), or the confirmation of a
// removal. Touch a box to type in it; PINs are shown as dots only. The boxes are on the
// start side and the keypad or keyboard on the end side in landscape; in portrait the
// keypad or keyboard is docked under the boxes.
Item {
    id: root
    property var form: ({})
    property string title: ""
    readonly property var f: form || ({})
    readonly property bool typingName: f.field === "name"
    readonly property bool removing: f.kind === "remove"
    readonly property real side: Theme.landscape ? (width - 2 * Theme.margin - 2 * Theme.gap) / 2
                                                 : width - 2 * Theme.margin

    readonly property var labels: ({
        "id": qsTr("Staff number"), "name": qsTr("Name"), "old": qsTr("Current PIN"),
        "pin": qsTr("New PIN"), "again": qsTr("New PIN again")
    })

    // --- the boxes ---------------------------------------------------------------------
    Flickable {
        id: boxes
        objectName: "formScroll"
        anchors {
            top: parent.top; left: parent.left
            bottom: Theme.landscape || root.removing ? parent.bottom : input.top
            leftMargin: Theme.margin
            bottomMargin: Theme.landscape || root.removing ? 0 : Theme.gap
        }
        width: root.removing ? root.width - 2 * Theme.margin : root.side
        contentHeight: fields.implicitHeight + 2 * Theme.gap
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        // Keep the box being typed in on screen (the keypad or keyboard takes room).
        function show(item) {
            const top = item.mapToItem(fields, 0, 0).y + fields.y
            if (top < contentY)
                contentY = Math.max(0, top - Theme.gap)
            else if (top + item.height > contentY + height)
                contentY = Math.min(Math.max(0, contentHeight - height), top + item.height - height + Theme.gap)
        }
        Column {
            id: fields
            y: Theme.gap
            width: parent.width
            spacing: Theme.gap

            ScreenTitle { objectName: "formTitle"; text: root.title }
            BodyText {
                objectName: "formError"
                visible: text !== ""
                color: Theme.danger
                font.bold: true
                text: desk.view.error || ""
            }

            Repeater {
                model: root.removing ? [] : (root.f.fields || [])
                delegate: Column {
                    id: box
                    required property string modelData
                    readonly property bool current: root.f.field === modelData
                    width: fields.width
                    spacing: Theme.gap
                    onCurrentChanged: if (current) Qt.callLater(boxes.show, box)
                    Component.onCompleted: if (current) Qt.callLater(boxes.show, box)
                    // The label beside its box, to keep the form and the keypad on one screen.
                    Row {
                        width: parent.width
                        spacing: Theme.gap
                        BodyText {
                            anchors.verticalCenter: parent.verticalCenter
                            width: parent.width * 0.34
                            text: root.labels[box.modelData] || ""
                            font.bold: true
                        }
                        Rectangle {
                            objectName: "form-" + box.modelData
                            width: parent.width * 0.66 - Theme.gap
                            height: Theme.touch
                            radius: Theme.radius
                            color: Theme.surface
                            border.width: box.current ? 5 : 2
                            border.color: box.current ? Theme.primary : Theme.outline
                            Text {
                                objectName: "formValue-" + box.modelData
                                anchors { fill: parent; leftMargin: Theme.gap; rightMargin: Theme.gap }
                                verticalAlignment: Text.AlignVCenter
                                // Numbers and dots are centred; a name takes its own direction,
                                // aligned to the start of the line.
                                horizontalAlignment: box.modelData === "name" ? Text.AlignLeft : Text.AlignHCenter
                                elide: Text.ElideLeft
                                text: root.f[box.modelData] || ""
                                font.pixelSize: box.modelData === "name" ? Theme.fontLarge : Theme.fontTitle
                                font.bold: true
                                font.letterSpacing: box.modelData === "name" ? 0 : 6 * Theme.unit
                                color: Theme.text
                            }
                            TapHandler { onTapped: desk.formFocus(box.modelData) }
                        }
                    }
                    // The role of a new account, after its name.
                    Row {
                        visible: root.f.kind === "add" && box.modelData === "name"
                        width: parent.width
                        spacing: Theme.gap
                        BodyText { anchors.verticalCenter: parent.verticalCenter; width: parent.width * 0.34
                                   text: qsTr("Role"); font.bold: true }
                        Row {
                            spacing: Theme.gap
                            Repeater {
                                model: root.f.roles || []
                                delegate: KButton {
                                    required property var modelData
                                    objectName: "role-" + modelData.id
                                    kind: root.f.role === modelData.id ? "primary" : "secondary"
                                    icon: root.f.role === modelData.id ? "check.svg" : ""
                                    fontSize: Theme.fontSmall
                                    text: modelData.label
                                    onClicked: desk.formRole(modelData.id)
                                }
                            }
                        }
                    }
                }
            }
            BodyText {
                visible: !root.removing && (root.f.field === "pin" || root.f.field === "again")
                text: qsTr("6 to 12 digits; not one digit repeated, nor a run like 123456.")
                font.pixelSize: Theme.fontSmall
                color: Theme.muted
            }

            // Removing: the question, and its answer.
            BodyText {
                objectName: "removeQuestion"
                visible: root.removing
                text: qsTr("Remove the account of %1 (%2)? This staff member will no longer be able to sign in.")
                      .arg(root.f.target_name || "").arg(root.f.target || "")
                font.pixelSize: Theme.fontLarge
            }
            Flow {
                visible: root.removing
                width: parent.width
                spacing: Theme.gap
                KButton { objectName: "removeCancel"; kind: "secondary"; text: qsTr("Cancel"); onClicked: desk.cancelForm() }
                KButton { objectName: "removeConfirm"; kind: "danger"; text: qsTr("Remove"); onClicked: desk.formSubmit() }
            }
        }
    }

    // --- the keypad or the keyboard, and the buttons ----------------------------------------
    Column {
        id: input
        visible: !root.removing
        anchors {
            right: parent.right
            rightMargin: Theme.margin
            bottom: Theme.landscape ? undefined : parent.bottom
            bottomMargin: Theme.gap
            verticalCenter: Theme.landscape ? parent.verticalCenter : undefined
        }
        width: root.side
        spacing: Theme.gap

        KeyPad {
            visible: !root.typingName
            anchors.horizontalCenter: parent.horizontalCenter
            prefix: "formkey"
            onDigit: (d) => desk.formDigit(d)
            onErase: desk.formErase()
        }
        Keyboard {
            objectName: "staffKeyboard"
            visible: root.typingName
            width: parent.width
            maxHeight: Theme.landscape ? root.height * 0.55 : -1
            layout: desk.keyboard.pages ? desk.keyboard
                                        : ({ "name": "", "start": "", "units": 1, "rows": 0, "compact": false, "pages": [] })
            onKey: (k) => desk.formKey(k)
        }
        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.gap
            KButton {
                objectName: "formCancel"
                kind: "secondary"
                text: qsTr("Cancel")
                onClicked: root.f.kind === "my_pin" ? desk.closePage() : desk.cancelForm()
            }
            KButton {
                objectName: "formOk"
                kind: root.f.last ? "confirm" : "primary"
                text: root.f.last ? qsTr("Save") : qsTr("Next")
                onClicked: desk.formNext()
            }
        }
    }
}
