import QtQuick

// Staff sign-in, opened by holding the top corner of Welcome: the staff number, then
// the PIN (shown as dots), on the large keypad (beside the fields in landscape).
// Wrong PINs and pauses are explained.
Rectangle {
    id: root
    color: Theme.background
    readonly property var v: desk.view
    MouseArea { anchors.fill: parent }  // nothing under the desk can be touched

    Grid {
        anchors.centerIn: parent
        columns: Theme.landscape ? 2 : 1
        columnSpacing: Theme.gap * 3
        rowSpacing: Theme.gap * 1.5
        verticalItemAlignment: Grid.AlignVCenter

        Column {
            id: fields
            width: Theme.landscape ? Math.min(root.width * 0.45, Theme.contentWidth)
                                   : Math.min(root.width - 2 * Theme.margin, Theme.contentWidth)
            spacing: Theme.gap * 1.5

            ScreenTitle { text: qsTr("Staff access") }
            BodyText {
                visible: !root.v.ready
                color: Theme.danger
                text: qsTr("No staff account exists on this kiosk yet. A technician creates one with the command kiosk staff add.")
            }

            BodyText {
                objectName: "staffBadge"
                visible: !!root.v.badge
                color: Theme.confirm
                font.bold: true
                text: qsTr("Staff card recognised. Type your PIN.")
            }

            Repeater {
                model: [{ "key": "id", "label": qsTr("Staff number"), "value": root.v.id || "" },
                        { "key": "pin", "label": qsTr("PIN"), "value": root.v.pin || "" }]
                delegate: Column {
                    required property var modelData
                    width: parent.width
                    spacing: Theme.gap / 3
                    BodyText { text: modelData.label; font.bold: true }
                    Rectangle {
                        objectName: "staff-" + modelData.key
                        width: parent.width
                        height: Theme.touch * 1.1
                        radius: Theme.radius
                        color: Theme.surface
                        border.width: root.v.field === modelData.key ? 5 : 2
                        border.color: root.v.field === modelData.key ? Theme.primary : Theme.outline
                        Text {
                            anchors.centerIn: parent
                            text: modelData.value
                            font.pixelSize: Theme.fontTitle
                            font.bold: true
                            font.letterSpacing: 6 * Theme.unit
                            color: Theme.text
                        }
                    }
                }
            }

            BodyText {
                objectName: "staffError"
                visible: text !== ""
                color: Theme.danger
                font.bold: true
                text: root.v.error || ""
            }

            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap
                visible: Theme.landscape
                KButton { objectName: "staffCancel"; kind: "secondary"; text: qsTr("Cancel"); onClicked: desk.close() }
                KButton {
                    objectName: "staffOk"
                    kind: "confirm"
                    text: root.v.field === "pin" ? qsTr("Sign in") : qsTr("Next")
                    onClicked: desk.confirm()
                }
            }
        }

        Column {
            width: Theme.landscape ? implicitWidth : fields.width
            spacing: Theme.gap * 1.5
            KeyPad {
                anchors.horizontalCenter: parent.horizontalCenter
                prefix: "staffkey"
                onDigit: (d) => desk.digit(d)
                onErase: desk.erase()
            }
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap
                visible: !Theme.landscape
                KButton { objectName: "staffCancel"; kind: "secondary"; text: qsTr("Cancel"); onClicked: desk.close() }
                KButton {
                    objectName: "staffOk"
                    kind: "confirm"
                    text: root.v.field === "pin" ? qsTr("Sign in") : qsTr("Next")
                    onClicked: desk.confirm()
                }
            }
        }
    }
}
