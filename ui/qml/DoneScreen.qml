import QtQuick

// The tracking number in large type, the receipt, and what to take away.
Item {
    id: screen
    readonly property var d: vm.screen.done || ({})

    Column {
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.landscape ? Theme.gap * 0.75 : Theme.gap * 2

        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Theme.touch * (Theme.landscape ? 1 : 1.4); height: width; radius: width / 2
            color: Theme.confirm
            Image {
                anchors.centerIn: parent
                source: iconDir + "check.svg"
                width: parent.width * 0.6; height: width
                sourceSize.width: width; sourceSize.height: height
            }
        }
        ScreenTitle { horizontalAlignment: Text.AlignHCenter; text: qsTr("Your request is saved") }
        BodyText { horizontalAlignment: Text.AlignHCenter; text: qsTr("Your tracking number") }
        Rectangle {
            anchors.horizontalCenter: parent.horizontalCenter
            width: Math.min(parent.width, number.implicitWidth + 2 * Theme.margin)
            height: number.implicitHeight + Theme.gap
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.primary
            border.width: 4
            Text {
                id: number
                objectName: "trackingNumber"
                anchors.centerIn: parent
                text: screen.d.tracking || ""
                font.pixelSize: Theme.fontHuge * 0.8
                font.bold: true
                color: Theme.text
            }
        }
        BodyText {
            objectName: "receiptStatus"
            horizontalAlignment: Text.AlignHCenter
            color: screen.d.print === "failed" ? Theme.danger : Theme.text
            font.bold: screen.d.print === "failed"
            text: screen.d.print === "failed"
                  ? qsTr("The receipt could not be printed. Show this number to an agent.")
                  : qsTr("Your receipt is printing.")
        }
        // Printing in progress: a bar that moves until the printer has the receipt.
        Rectangle {
            id: track
            objectName: "printProgress"
            anchors.horizontalCenter: parent.horizontalCenter
            visible: screen.d.print === "printing"
            width: Math.min(parent.width, 600 * Theme.unit); height: 10 * Theme.unit
            radius: height / 2
            color: Theme.surface
            clip: true
            Rectangle {
                width: track.width / 3; height: track.height; radius: height / 2
                color: Theme.primary
                NumberAnimation on x {
                    running: kioskAnimations && track.visible
                    loops: Animation.Infinite
                    from: -track.width / 3; to: track.width; duration: 1200
                }
            }
        }
        BodyText {
            horizontalAlignment: Text.AlignHCenter
            font.bold: true
            text: screen.d.print === "failed" ? qsTr("Take your card.") : qsTr("Take your card and your receipt.")
        }
        KButton {
            objectName: "finish"
            anchors.horizontalCenter: parent.horizontalCenter
            kind: "confirm"
            text: qsTr("Finish")
            onClicked: vm.finish()
        }
    }
}
