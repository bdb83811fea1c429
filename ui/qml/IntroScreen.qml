import QtQuick

// Before starting: what the procedure is, what it costs, how long it takes, what to bring.
Item {
    id: screen
    readonly property var p: vm.screen.intro || ({})

    Flickable {
        anchors { top: parent.top; left: parent.left; right: parent.right; bottom: nav.top }
        contentHeight: content.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: content
            x: (parent.width - width) / 2
            y: Theme.margin
            width: Theme.contentWidth
            spacing: Theme.gap * 1.5
            ScreenTitle { text: screen.p.title || "" }
            BodyText { text: screen.p.summary || "" }
            // Facts, then what to bring: stacked in portrait, side by side in landscape.
            Grid {
                id: details
                width: parent.width
                columns: Theme.landscape ? 2 : 1
                spacing: Theme.gap * 1.5
                readonly property real cell: Theme.landscape ? (width - spacing) / 2 : width
                Rectangle {
                    width: details.cell
                    height: facts.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: Theme.outline
                    border.width: 2
                    Column {
                        id: facts
                        anchors { left: parent.left; right: parent.right; top: parent.top; margins: Theme.gap }
                        spacing: Theme.gap / 2
                        BodyText { objectName: "intro-fee"; text: qsTr("Cost: %1").arg(screen.p.fee || ""); font.bold: true }
                        // When there is a fee, what it is made of (stamp duty, ...).
                        Repeater {
                            model: screen.p.fees || []
                            delegate: Item {
                                required property var modelData
                                width: facts.width
                                height: Math.max(feeLabel.implicitHeight, feeAmount.implicitHeight)
                                BodyText {
                                    id: feeLabel
                                    width: parent.width - feeAmount.implicitWidth - Theme.gap
                                    text: "•  " + parent.modelData.label
                                    font.pixelSize: Theme.fontSmall
                                }
                                Text {
                                    id: feeAmount
                                    anchors.right: parent.right
                                    text: parent.modelData.amount
                                    font.pixelSize: Theme.fontSmall
                                    color: Theme.text
                                }
                            }
                        }
                        BodyText { text: qsTr("Processing time: %1").arg(screen.p.delay || ""); font.bold: true }
                        BodyText { text: screen.p.agency || ""; color: Theme.muted; font.pixelSize: Theme.fontSmall }
                    }
                }
                Column {
                    width: details.cell
                    spacing: Theme.gap / 2
                    BodyText { text: qsTr("What you need"); font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.primary }
                    Repeater {
                        model: screen.p.documents || []
                        delegate: BodyText { required property var modelData; text: "•  " + modelData }
                    }
                }
            }
        }
    }
    NavBar {
        id: nav
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        forwardText: qsTr("Start")
        forwardName: "begin"
        onForward: vm.begin()
        onBack: vm.back()
    }
}
