import QtQuick

// Every answer, with a way back to each step; the personal data notice; send.
Item {
    id: screen
    readonly property var r: vm.screen.review || ({ "steps": [] })

    Flickable {
        id: flick
        anchors { top: parent.top; left: parent.left; right: parent.right; bottom: nav.top }
        contentHeight: content.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: content
            x: (flick.width - width) / 2
            y: Theme.margin
            width: Theme.contentWidth
            spacing: Theme.gap
            BodyText { text: screen.r.progress || ""; color: Theme.primary; font.bold: true }
            ScreenTitle { text: qsTr("Check your answers") }
            BodyText { visible: (screen.r.note || "") !== ""; text: screen.r.note || ""; color: Theme.muted }
            BodyText { text: screen.r.procedure || ""; color: Theme.muted }

            Repeater {
                model: screen.r.steps
                delegate: Rectangle {
                    required property var modelData
                    width: content.width
                    height: stepCol.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.outline
                    border.width: 2
                    Column {
                        id: stepCol
                        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.gap }
                        spacing: Theme.gap / 2
                        Item {
                            width: parent.width
                            height: Math.max(stepTitle.implicitHeight, editButton.height)
                            Text {
                                id: stepTitle
                                anchors { left: parent.left; right: editButton.left; rightMargin: Theme.gap; verticalCenter: parent.verticalCenter }
                                text: modelData.title
                                wrapMode: Text.Wrap
                                font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.primary
                            }
                            KButton {
                                id: editButton
                                objectName: "edit-" + modelData.id
                                anchors { right: parent.right; verticalCenter: parent.verticalCenter }
                                kind: "secondary"; fontSize: Theme.fontSmall
                                text: qsTr("Change")
                                visible: !modelData.items.every(function(i) { return i.readOnly })
                                onClicked: vm.edit(modelData.id)
                            }
                        }
                        Repeater {
                            model: modelData.items
                            delegate: Column {
                                required property var modelData
                                width: stepCol.width
                                BodyText { text: modelData.label; font.pixelSize: Theme.fontSmall; color: Theme.muted }
                                BodyText { text: modelData.display === "" ? "—" : modelData.display; font.bold: true }
                            }
                        }
                    }
                }
            }

            // Consent to the law 09-08 notice: a large check box.
            Rectangle {
                objectName: "consent"
                width: content.width
                height: consentRow.implicitHeight + 2 * Theme.gap
                radius: Theme.radius
                color: screen.r.consentGiven ? Theme.selected : Theme.surface
                border.color: Theme.primary
                border.width: 3
                Row {
                    id: consentRow
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: Theme.gap }
                    spacing: Theme.gap
                    Rectangle {
                        width: Theme.touch * 0.7; height: width; radius: 8 * Theme.unit
                        anchors.verticalCenter: parent.verticalCenter
                        color: screen.r.consentGiven ? Theme.confirm : Theme.surface
                        border.color: Theme.primary; border.width: 3
                        Image {
                            anchors.centerIn: parent
                            visible: screen.r.consentGiven === true
                            source: iconDir + "check.svg"
                            width: parent.width * 0.8; height: width
                            sourceSize.width: width; sourceSize.height: height
                        }
                    }
                    BodyText {
                        width: consentRow.width - Theme.touch * 0.7 - Theme.gap
                        text: screen.r.consent || ""
                        font.pixelSize: Theme.fontSmall
                    }
                }
                TapHandler { onTapped: vm.setConsent(!screen.r.consentGiven) }
            }
            BodyText {
                visible: vm.screen.error !== ""
                text: vm.screen.error
                color: Theme.danger
                font.bold: true
            }
        }
    }

    NavBar {
        id: nav
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        forwardText: qsTr("Send my request")
        forwardName: "submit"
        forwardKind: "confirm"
        forwardEnabled: screen.r.consentGiven === true
        onForward: vm.submit()
        onBack: vm.back()
    }
}
