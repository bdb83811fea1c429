import QtQuick

// The card reader on the desk (technicians): the PC/SC readers pcscd sees, the one the
// card.reader setting selects (touch another to choose it: used from the next start),
// and a test read: put a card on the reader, the kiosk waits for it (on a worker thread)
// and tells the reader, whether the card answered, its ATR, whether it announces PACE
// like the CNIE, and the response time. No personal data is read.
Item {
    id: root
    readonly property var v: desk.view
    readonly property var r: v.reader || ({})
    readonly property var test: r.test || ({})

    Flickable {
        objectName: "readerScroll"
        anchors.fill: parent
        contentHeight: col.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: col
            x: (parent.width - width) / 2
            y: Theme.margin
            width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth * 1.2)
            spacing: Theme.gap

            ScreenTitle { text: qsTr("Card reader") }
            BodyText { objectName: "readerNotice"; visible: text !== ""; color: Theme.confirm; font.bold: true; text: root.v.notice || "" }
            BodyText { objectName: "readerError"; visible: text !== ""; color: Theme.danger; font.bold: true; text: root.v.error || "" }

            // The readers and the test side by side in landscape, one under the other in portrait.
            Grid {
                width: parent.width
                columns: Theme.landscape ? 2 : 1
                spacing: Theme.gap
                readonly property real cell: Theme.landscape ? (width - spacing) / 2 : width

                // --- the readers and the choice ------------------------------------------------
                Rectangle {
                    width: parent.cell
                    height: choice.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.outline
                    border.width: 2
                    Column {
                        id: choice
                        x: Theme.gap; y: Theme.gap
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.gap / 2
                        BodyText { text: qsTr("Readers connected"); font.bold: true; color: Theme.primary }
                        BodyText {
                            text: qsTr("Touch the reader the kiosk must use. The choice takes effect when the kiosk restarts.")
                            font.pixelSize: Theme.fontSmall
                            color: Theme.muted
                        }
                        BodyText {
                            objectName: "readerPcscd"
                            visible: text !== ""
                            text: root.r.pcscd || ""
                            color: Theme.danger
                            font.bold: true
                        }
                        BodyText {
                            objectName: "readerNone"
                            visible: !root.r.pcscd && (root.r.readers || []).length === 0
                            text: qsTr("No card reader is connected.")
                            color: Theme.warning
                            font.bold: true
                        }
                        Repeater {
                            model: root.r.readers || []
                            delegate: KButton {
                                required property var modelData
                                required property int index
                                objectName: "reader-" + index
                                width: choice.width
                                wrap: true
                                kind: modelData.selected ? "primary" : "secondary"
                                icon: modelData.selected ? "check.svg" : ""
                                fontSize: Theme.fontSmall
                                text: modelData.name   // a device name: shown as the reader reports it
                                onClicked: desk.chooseReader(modelData.name)
                            }
                        }
                        KButton {
                            objectName: "reader-any"
                            width: choice.width
                            wrap: true
                            kind: root.r.every ? "primary" : "secondary"
                            icon: root.r.every ? "check.svg" : ""
                            fontSize: Theme.fontSmall
                            text: qsTr("Any reader (the first card put on one of them)")
                            onClicked: desk.chooseReader("")
                        }
                        BodyText {
                            objectName: "readerMissing"
                            visible: !!root.r.missing
                            text: qsTr("No connected reader matches the setting card.reader: %1").arg(root.r.setting || "")
                            color: Theme.warning
                            font.pixelSize: Theme.fontSmall
                        }
                        Flow {  // a Flow as wide as the card: the button sits on the start side
                            width: parent.width
                            KButton {
                                objectName: "readerRefresh"
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: qsTr("Look for readers again")
                                onClicked: desk.refreshReaders()
                            }
                        }
                    }
                }

                // --- the test read ----------------------------------------------------------------
                Rectangle {
                    objectName: "readerTestCard"
                    width: parent.cell
                    height: testCol.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: root.test.state === "done" ? (root.test.ok ? Theme.confirm : Theme.danger) : Theme.outline
                    border.width: root.test.state === "done" ? 3 : 2
                    Column {
                        id: testCol
                        x: Theme.gap; y: Theme.gap
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.gap / 2
                        BodyText { text: qsTr("Test read"); font.bold: true; color: Theme.primary }
                        BodyText {
                            visible: root.test.state !== "waiting"
                            text: qsTr("Reads only what the card says about itself: no personal data, no CAN.")
                            font.pixelSize: Theme.fontSmall
                            color: Theme.muted
                        }
                        Flow {  // first, so it stays on screen above the results
                            width: parent.width
                            spacing: Theme.gap
                            KButton {
                                objectName: "readerTest"
                                visible: root.test.state !== "waiting"
                                kind: "primary"
                                text: root.test.state === "done" ? qsTr("Test again") : qsTr("Test read")
                                onClicked: desk.testRead()
                            }
                            KButton {
                                objectName: "readerTestCancel"
                                visible: root.test.state === "waiting"
                                kind: "secondary"
                                text: qsTr("Stop")
                                onClicked: desk.cancelTestRead()
                            }
                        }
                        BodyText {
                            objectName: "readerWaiting"
                            visible: root.test.state === "waiting"
                            text: qsTr("Put a card on the reader… (waiting up to %1 seconds)").arg(root.test.seconds || "")
                            font.bold: true
                        }
                        BodyText {
                            objectName: "readerOutcome"
                            visible: root.test.state === "done"
                            text: root.test.text || ""
                            font.bold: true
                            color: root.test.ok ? Theme.confirm : Theme.danger
                        }
                        Repeater {
                            model: root.test.state === "done" ? (root.test.rows || []) : []
                            delegate: Column {
                                required property var modelData
                                width: testCol.width
                                BodyText { text: modelData.label; font.pixelSize: Theme.fontSmall; color: Theme.muted }
                                // Reader names and the ATR are technical: always left to right.
                                Text {
                                    objectName: "readerResult-" + modelData.key
                                    width: parent.width
                                    wrapMode: Text.WrapAtWordBoundaryOrAnywhere
                                    LayoutMirroring.enabled: false
                                    horizontalAlignment: vm.rtl ? Text.AlignRight : Text.AlignLeft
                                    text: modelData.value
                                    font.pixelSize: Theme.fontBody
                                    font.bold: true
                                    font.family: modelData.key === "atr" ? "monospace" : Qt.application.font.family
                                    color: Theme.text
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
