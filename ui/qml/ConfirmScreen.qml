import QtQuick

// "Is this you?" with the chip's photo, the names in Latin and Arabic script and a masked number.
Item {
    id: screen
    readonly property var who: vm.screen.identity || ({})

    Column {
        id: body
        anchors.centerIn: parent
        width: Theme.contentWidth
        spacing: Theme.landscape ? Theme.gap : Theme.gap * 1.5
        // Landscape has little height: tighter card, smaller photo.
        readonly property real pad: Theme.landscape ? Theme.gap : Theme.margin
        readonly property real photoWidth: Theme.touch * (Theme.landscape ? 1.9 : 2.4)

        ScreenTitle { horizontalAlignment: Text.AlignHCenter; text: qsTr("Is this you?") }

        Rectangle {
            width: parent.width
            height: idRow.implicitHeight + 2 * body.pad
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.outline
            border.width: 2
            Row {
                id: idRow
                anchors { fill: parent; margins: body.pad }
                spacing: body.pad
                Image {
                    objectName: "photo"
                    source: vm.photoUrl
                    cache: false
                    width: body.photoWidth; height: width * 1.25
                    fillMode: Image.PreserveAspectCrop
                }
                Column {
                    width: parent.width - body.photoWidth - idRow.spacing
                    spacing: Theme.landscape ? Theme.gap / 2 : Theme.gap
                    BodyText { objectName: "latinName"; text: screen.who.latinName || ""; font.pixelSize: Theme.fontLarge; font.bold: true }
                    BodyText { objectName: "arabicName"; text: screen.who.arabicName || ""; font.pixelSize: Theme.fontLarge; font.bold: true }
                    BodyText { text: (screen.who.document || "") + " " + "\u2066" + (screen.who.maskedNumber || "") + "\u2069"; color: Theme.muted }
                    BodyText { text: qsTr("Born on %1").arg(screen.who.birthDate || ""); color: Theme.muted }
                }
            }
        }

        Rectangle {
            visible: screen.who.demo === true
            width: parent.width
            height: demoNote.implicitHeight + Theme.gap * 2
            radius: Theme.radius
            color: Theme.warningSoft
            BodyText {
                id: demoNote
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                width: undefined
                color: Theme.warning
                font.pixelSize: Theme.fontSmall
                text: qsTr("Demo card: this identity is sample data and was not verified.")
            }
        }

        Rectangle {
            visible: screen.who.unverified === true
            width: parent.width
            height: unverifiedNote.implicitHeight + Theme.gap * 2
            radius: Theme.radius
            color: Theme.dangerSoft
            BodyText {
                id: unverifiedNote
                objectName: "unverifiedNote"
                anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                width: undefined
                color: Theme.danger
                font.bold: true
                font.pixelSize: Theme.fontSmall
                text: qsTr("This card's chip could not be verified. An agent must check your identity.")
            }
        }

        Row {
            anchors.horizontalCenter: parent.horizontalCenter
            spacing: Theme.gap * 2
            KButton { objectName: "notMe"; kind: "secondary"; text: qsTr("This is not me"); onClicked: vm.confirmIdentity(false) }
            KButton { objectName: "confirmMe"; kind: "confirm"; icon: "check.svg"; text: qsTr("This is me"); onClicked: vm.confirmIdentity(true) }
        }
    }
}
