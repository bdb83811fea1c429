import QtQuick

// Place the card; reading progress; what to do when reading failed.
Item {
    id: screen
    readonly property string phase: vm.state   // identify, reading or card_error

    Column {
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.gap * 2

        ScreenTitle {
            horizontalAlignment: Text.AlignHCenter
            text: screen.phase === "reading" ? qsTr("Reading your card…")
                : screen.phase === "card_error" ? qsTr("Your card could not be read")
                : qsTr("Place your ID card on the reader")
        }

        // The card moving onto the reader.
        Item {
            width: parent.width
            height: Theme.touch * 3.4
            Image {
                id: readerPad
                anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom }
                source: iconDir + "reader.svg"
                width: Theme.touch * 2.6; height: width
                sourceSize.width: width; sourceSize.height: height
            }
            Image {
                id: card
                anchors.horizontalCenter: parent.horizontalCenter
                source: iconDir + "card.svg"
                width: Theme.touch * 2; height: width
                sourceSize.width: width; sourceSize.height: height
                y: 0
                SequentialAnimation on y {
                    running: kioskAnimations && screen.phase === "identify"
                    loops: Animation.Infinite
                    NumberAnimation { from: 0; to: Theme.touch * 1.2; duration: 1100; easing.type: Easing.InOutQuad }
                    PauseAnimation { duration: 500 }
                    NumberAnimation { from: Theme.touch * 1.2; to: 0; duration: 400 }
                }
            }
        }

        BodyText {
            horizontalAlignment: Text.AlignHCenter
            color: screen.phase === "card_error" ? Theme.danger : Theme.text
            text: screen.phase === "reading" ? qsTr("Keep your card on the reader until your name appears.")
                : screen.phase === "card_error" ? vm.screen.error
                : qsTr("Your national electronic ID card (CNIE) or your passport.")
        }

        // Progress while the chip is read.
        Rectangle {
            visible: screen.phase === "reading"
            anchors.horizontalCenter: parent.horizontalCenter
            width: parent.width * 0.7; height: 16 * Theme.unit; radius: height / 2
            color: Theme.selected
            readonly property real progress: vm.screen.progress || 0
            // How far the chip read is, once the reader reports it ...
            Rectangle {
                objectName: "readProgress"
                visible: parent.progress > 0
                height: parent.height; radius: height / 2; color: Theme.primary
                width: parent.width * Math.max(0.05, parent.progress)
                Behavior on width { enabled: kioskAnimations; NumberAnimation { duration: 150 } }
            }
            // ... and a moving bar until then.
            Rectangle {
                id: bar
                visible: parent.progress === 0
                height: parent.height; radius: height / 2; color: Theme.primary
                width: parent.width * 0.3
                SequentialAnimation on x {
                    running: kioskAnimations && screen.phase === "reading" && bar.visible
                    loops: Animation.Infinite
                    NumberAnimation { from: 0; to: bar.parent.width * 0.7; duration: 700 }
                    NumberAnimation { from: bar.parent.width * 0.7; to: 0; duration: 700 }
                }
            }
        }

        KButton {
            objectName: "retryCard"
            visible: screen.phase === "card_error"
            anchors.horizontalCenter: parent.horizontalCenter
            text: qsTr("Try again")
            onClicked: vm.retryCard()
        }

        KButton {
            objectName: "demoCard"
            visible: vm.demo && screen.phase === "identify"
            anchors.horizontalCenter: parent.horizontalCenter
            kind: "secondary"
            icon: "card.svg"
            text: qsTr("Use the demo card")
            onClicked: vm.useDemoCard()
        }
    }
}
