import QtQuick

// The card access number (CAN): where to find it on the card, six large boxes,
// a keypad, and what the chip said about the last try.
Item {
    id: screen
    readonly property var a: vm.screen.access || ({ "entered": "", "length": 6, "complete": false, "warning": "", "lastTry": false })

    // What the chip said: the error and the tries warning. In landscape it sits
    // under the card picture so the keypad column keeps its height.
    component Feedback: Column {
        spacing: Theme.gap
        BodyText {
            objectName: "accessError"
            visible: text !== ""
            horizontalAlignment: Text.AlignHCenter
            color: Theme.danger
            font.bold: true
            text: vm.screen.error || ""
        }
        Rectangle {
            visible: screen.a.warning !== ""
            width: parent.width
            height: warn.implicitHeight + Theme.gap * 2
            radius: Theme.radius
            color: screen.a.lastTry ? Theme.dangerSoft : Theme.warningSoft
            BodyText {
                id: warn
                objectName: "accessWarning"
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                width: undefined
                color: screen.a.lastTry ? Theme.danger : Theme.warning
                font.bold: screen.a.lastTry
                text: screen.a.warning
            }
        }
    }

    Grid {
        id: layout
        anchors.centerIn: parent
        width: Theme.contentWidth
        columns: Theme.landscape ? 2 : 1
        spacing: Theme.landscape ? Theme.margin : Theme.gap * 1.5
        // Landscape: explanations on the wide side, the keypad on the narrow one.
        readonly property real cell: Theme.landscape ? (width - spacing) * 0.58 : width
        readonly property real keysCell: Theme.landscape ? (width - spacing) * 0.42 : width

        Column {
            width: layout.cell
            spacing: Theme.gap
            ScreenTitle { text: qsTr("Type your card's access number") }
            BodyText { text: qsTr("It is the 6-digit number printed on the front of your card, in the box shown here.") }

            // A drawn card with the CAN box highlighted (in landscape it gives way
            // to the chip's answer, once there is one: the citizen has seen it).
            Rectangle {
                visible: !(Theme.landscape && (vm.screen.error || "") !== "")
                anchors.horizontalCenter: parent.horizontalCenter
                width: Math.min(parent.width, Theme.touch * (Theme.landscape ? 2.8 : 3.6))
                height: width * 0.63
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.outline
                border.width: 3
                LayoutMirroring.enabled: false  // the card looks the same in every language
                LayoutMirroring.childrenInherit: true
                Rectangle {  // photo
                    x: parent.width * 0.06; y: parent.height * 0.2
                    width: parent.width * 0.24; height: parent.height * 0.55
                    radius: 6; color: Theme.selected
                }
                Repeater {  // text lines
                    model: 4
                    delegate: Rectangle {
                        required property int index
                        x: parent.width * 0.36; y: parent.height * (0.22 + index * 0.13)
                        width: parent.width * (0.5 - index * 0.06); height: parent.height * 0.05
                        radius: height / 2; color: Theme.outline
                    }
                }
                Rectangle {  // the CAN
                    objectName: "canHint"
                    x: parent.width * 0.62; y: parent.height * 0.74
                    width: parent.width * 0.32; height: parent.height * 0.18
                    radius: 6
                    color: Theme.warningSoft
                    border.color: Theme.danger; border.width: 4
                    Text {
                        anchors.centerIn: parent
                        text: "123456"
                        font.pixelSize: parent.height * 0.55; font.bold: true
                        color: Theme.text
                    }
                }
            }
            BodyText {
                visible: vm.demoCan !== ""
                horizontalAlignment: Text.AlignHCenter
                font.pixelSize: Theme.fontSmall
                color: Theme.warning
                text: qsTr("Demo card: its access number is %1").arg("\u2066" + vm.demoCan + "\u2069")
            }
            Feedback { visible: Theme.landscape; width: parent.width }
        }

        Column {
            width: layout.keysCell
            spacing: Theme.gap

            // Six boxes, left to right in every language (digits read that way).
            Row {
                anchors.horizontalCenter: parent.horizontalCenter
                spacing: Theme.gap / 2
                LayoutMirroring.enabled: false
                Repeater {
                    model: screen.a.length
                    delegate: Rectangle {
                        required property int index
                        objectName: "canBox-" + index
                        width: Theme.touch * 0.85; height: Theme.touch * 1.05
                        radius: Theme.radius
                        color: Theme.surface
                        border.color: index === screen.a.entered.length ? Theme.primary : Theme.outline
                        border.width: index === screen.a.entered.length ? 4 : 2
                        Text {
                            anchors.centerIn: parent
                            text: screen.a.entered.length > index ? screen.a.entered[index] : ""
                            font.pixelSize: Theme.fontTitle; font.bold: true
                            color: Theme.text
                        }
                    }
                }
            }

            Feedback { visible: !Theme.landscape; width: parent.width }

            KeyPad {
                anchors.horizontalCenter: parent.horizontalCenter
                prefix: "can"
                onDigit: function(d) { vm.canDigit(d) }
                onErase: vm.canErase()
            }

            KButton {
                objectName: "canSubmit"
                anchors.horizontalCenter: parent.horizontalCenter
                kind: "primary"
                icon: "arrow.svg"
                iconMirrored: vm.rtl
                iconAfter: true
                active: screen.a.complete
                text: qsTr("Read my card")
                onClicked: if (screen.a.complete) vm.submitCan()
            }
        }
    }
}
