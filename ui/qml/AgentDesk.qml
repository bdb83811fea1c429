import QtQuick

// The agent's dashboard: who is signed in, the outcome of the last action, the queue by
// state with the sync line, refused submissions with their reasons, today's submissions
// with their receipts (reprint), the printer, and the kiosk's service state. The pages
// over it (desk.page: the card reader, staff accounts, my PIN) replace the dashboard
// under the same bar, whose end button then goes back to the dashboard.
Rectangle {
    id: root
    color: Theme.background
    readonly property var v: desk.view
    MouseArea { anchors.fill: parent }  // nothing under the desk can be touched

    component Card: Rectangle {
        default property alias content: inner.data
        property string title: ""
        width: parent.width
        height: inner.implicitHeight + 2 * Theme.gap
        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.outline
        border.width: 2
        Column {
            id: inner
            x: Theme.gap; y: Theme.gap
            width: parent.width - 2 * Theme.gap
            spacing: Theme.gap / 2
            BodyText { text: parent.parent.title; font.bold: true; color: Theme.primary; visible: text !== "" }
        }
    }

    Rectangle {
        id: bar
        width: parent.width
        height: Theme.touch + 2 * Theme.gap
        color: Theme.surface
        LanguageBar {
            anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter }
        }
        KButton {
            objectName: "deskSignOut"
            visible: desk.page === ""
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Sign out")
            onClicked: desk.close()
        }
        KButton {
            objectName: "deskBack"
            visible: desk.page !== ""
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            kind: "secondary"
            fontSize: Theme.fontSmall
            text: qsTr("Back")
            onClicked: desk.closePage()
        }
    }

    Loader {
        objectName: "deskPage"
        anchors { top: bar.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        active: desk.page !== ""
        sourceComponent: ({ "reader": readerPage, "staff": staffPage, "my_pin": myPinPage })[desk.page] || null
    }
    Component { id: readerPage; DeskReaderPage {} }
    Component { id: staffPage; DeskStaffPage {} }
    Component {
        id: myPinPage
        DeskStaffForm { form: root.v.form || ({}); title: qsTr("Change my PIN") }
    }

    Flickable {
        objectName: "deskScroll"
        visible: desk.page === ""
        anchors { top: bar.bottom; left: parent.left; right: parent.right; bottom: parent.bottom }
        contentHeight: col.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        Column {
            id: col
            x: (parent.width - width) / 2
            y: Theme.margin
            width: Math.min(parent.width - 2 * Theme.margin, Theme.contentWidth * 1.2)
            spacing: Theme.gap

            ScreenTitle { text: qsTr("Agent desk") }
            BodyText {
                objectName: "deskWho"
                text: root.v.actor ? qsTr("Signed in: %1 (%2)").arg(root.v.actor.name).arg(root.v.actor.id) : ""
            }
            BodyText {
                objectName: "deskNotice"
                visible: text !== ""
                color: Theme.confirm
                font.bold: true
                text: root.v.notice || ""
            }
            BodyText {
                objectName: "deskError"
                visible: text !== ""
                color: Theme.danger
                font.bold: true
                text: root.v.error || ""
            }

            // The technician's tools, two by two.
            Grid {
                visible: !!(root.v.actor && root.v.actor.technician)
                width: parent.width
                columns: 2
                spacing: Theme.gap
                readonly property real cell: (width - spacing) / 2
                KButton {
                    objectName: "deskSettings"
                    width: parent.cell
                    wrap: true
                    kind: "secondary"
                    text: qsTr("Kiosk settings")
                    onClicked: desk.openSettings()
                }
                KButton {
                    objectName: "deskCatalog"
                    width: parent.cell
                    wrap: true
                    kind: "secondary"
                    text: qsTr("Procedure catalog")
                    onClicked: desk.openCatalog()
                }
                KButton {
                    objectName: "deskReader"
                    width: parent.cell
                    wrap: true
                    kind: "secondary"
                    text: qsTr("Card reader")
                    onClicked: desk.openPage("reader")
                }
                KButton {
                    objectName: "deskStaffAccounts"
                    width: parent.cell
                    wrap: true
                    kind: "secondary"
                    text: qsTr("Staff accounts")
                    onClicked: desk.openPage("staff")
                }
                KButton {
                    objectName: "deskProvision"
                    width: parent.cell
                    wrap: true
                    kind: "secondary"
                    text: qsTr("Set up from a USB stick")
                    onClicked: desk.openProvision()
                }
            }
            KButton {
                objectName: "deskAssist"
                width: parent.width
                icon: "person.svg"
                text: qsTr("Start an assisted session")
                onClicked: desk.startAssisted()
            }
            Flow {  // as wide as the column: the button sits on the start side (right in Arabic)
                width: parent.width
                KButton {
                    objectName: "deskMyPin"
                    kind: "secondary"
                    fontSize: Theme.fontSmall
                    text: qsTr("Change my PIN")
                    onClicked: desk.openPage("my_pin")
                }
            }

            Card {
                objectName: "deskQueue"
                title: qsTr("Submissions on this kiosk")
                Flow {
                    width: parent.width
                    spacing: Theme.gap
                    Repeater {
                        model: root.v.counts || []
                        delegate: Rectangle {
                            required property var modelData
                            objectName: "count-" + modelData.state
                            width: Math.max(Theme.touch * 3.2, lbl.implicitWidth + 2 * Theme.gap)
                            height: num.implicitHeight + lbl.implicitHeight + Theme.gap
                            radius: Theme.radius
                            color: modelData.state === "rejected" && modelData.n > 0 ? Theme.dangerSoft : Theme.background
                            Column {
                                anchors.centerIn: parent
                                Text { id: num; anchors.horizontalCenter: parent.horizontalCenter
                                       text: modelData.count; font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.text }
                                Text { id: lbl; anchors.horizontalCenter: parent.horizontalCenter
                                       text: modelData.label; font.pixelSize: Theme.fontSmall; color: Theme.muted }
                            }
                        }
                    }
                }
                BodyText {
                    objectName: "deskSync"
                    text: (root.v.sync ? root.v.sync.line : "")
                    color: root.v.sync && root.v.sync.ok ? Theme.text : Theme.warning
                }
                BodyText {
                    visible: !!(root.v.sync && root.v.sync.last_success)
                    text: qsTr("Last successful sending: %1").arg(root.v.sync ? root.v.sync.last_success : "")
                    font.pixelSize: Theme.fontSmall
                }
                BodyText {
                    visible: !!root.v.oldest
                    text: qsTr("Oldest submission not yet received: %1").arg(root.v.oldest || "")
                    font.pixelSize: Theme.fontSmall
                }
                Flow {
                    width: parent.width
                    KButton {
                        objectName: "deskSendNow"
                        kind: "secondary"
                        text: qsTr("Send now")
                        active: !!(root.v.sync && root.v.sync.configured)
                        onClicked: desk.sendNow()
                    }
                }
            }

            Card {
                objectName: "deskRejected"
                visible: (root.v.rejected || []).length > 0
                title: qsTr("Refused by the office")
                Repeater {
                    model: root.v.rejected || []
                    delegate: Column {
                        required property var modelData
                        width: parent.width
                        BodyText { text: modelData.tracking + " · " + modelData.procedure; font.bold: true }
                        BodyText { text: qsTr("Reason: %1").arg(modelData.reason); font.pixelSize: Theme.fontSmall; color: Theme.danger }
                    }
                }
            }

            Card {
                objectName: "deskPrinter"
                title: qsTr("Receipt printer")
                BodyText {
                    text: root.v.printer && root.v.printer.ready
                          ? (root.v.printer.low ? qsTr("Ready. Paper is running low.") : qsTr("Ready."))
                          : (root.v.printer ? root.v.printer.problem : "")
                    color: root.v.printer && root.v.printer.ready ? Theme.text : Theme.danger
                    font.bold: !(root.v.printer && root.v.printer.ready)
                }
                BodyText {
                    visible: (root.v.unprinted || 0) > 0
                    text: qsTr("Receipts not printed today: %1").arg(root.v.unprinted || 0)
                    color: Theme.warning
                }
                Flow {
                    width: parent.width
                    KButton {
                        objectName: "deskTestPrint"
                        kind: "secondary"
                        text: qsTr("Print a test receipt")
                        onClicked: desk.testPrint()
                    }
                }
                // Technicians: the printers found (CUPS queues, ESC/POS, PDF folder).
                BodyText {
                    visible: (root.v.printers || []).length > 0
                    text: qsTr("Choose the printer")
                    font.bold: true
                }
                Repeater {
                    model: root.v.printers || []
                    delegate: KButton {
                        required property var modelData
                        objectName: "printer-" + modelData.kind + (modelData.queue ? "-" + modelData.queue : "")
                        width: parent.width
                        wrap: true
                        kind: modelData.selected ? "primary" : "secondary"
                        icon: modelData.selected ? "check.svg" : ""
                        fontSize: Theme.fontSmall
                        text: modelData.label
                        onClicked: desk.choosePrinter(modelData.kind, modelData.queue)
                    }
                }
            }

            Card {
                objectName: "deskStaff"
                visible: (root.v.staff || []).length > 0
                title: qsTr("Staff")
                Repeater {
                    model: root.v.staff || []
                    delegate: Item {
                        required property var modelData
                        width: parent.width
                        height: Math.max(who.implicitHeight, unlockButton.visible ? unlockButton.height : 0) + Theme.gap / 2
                        BodyText {
                            id: who
                            anchors { left: parent.left; right: unlockButton.left; rightMargin: Theme.gap
                                      verticalCenter: parent.verticalCenter }
                            width: undefined
                            text: modelData.id + " · " + modelData.name
                                  + (modelData.locked_for > 0 ? " · " + qsTr("locked for %1 s").arg(modelData.locked_for) : "")
                            color: modelData.locked_for > 0 ? Theme.danger : Theme.text
                        }
                        KButton {
                            id: unlockButton
                            objectName: "unlock-" + modelData.id
                            anchors { right: parent.right; verticalCenter: parent.verticalCenter }
                            visible: modelData.locked_for > 0
                            kind: "secondary"
                            fontSize: Theme.fontSmall
                            text: qsTr("Unlock")
                            onClicked: desk.unlock(modelData.id)
                        }
                    }
                }
            }

            Card {
                objectName: "deskDiagnostics"
                visible: !!(root.v.actor && root.v.actor.technician)
                title: qsTr("Diagnostics")
                Flow {
                    width: parent.width
                    spacing: Theme.gap
                    KButton { objectName: "deskDoctor"; kind: "secondary"; fontSize: Theme.fontSmall
                              active: !root.v.doctor_running
                              text: qsTr("Check the kiosk"); onClicked: desk.runDoctor() }
                    KButton { objectName: "deskExport"; kind: "secondary"; fontSize: Theme.fontSmall
                              text: qsTr("Export to a USB stick"); onClicked: desk.exportDiagnostics() }
                }
                // The doctor runs on a worker thread (about a second): the desk stays usable.
                BodyText {
                    objectName: "deskDoctorRunning"
                    visible: !!root.v.doctor_running
                    text: qsTr("Checking the kiosk…")
                    font.bold: true
                    color: Theme.muted
                }
                // One block per check, in the desk's language: its title and state, what was
                // found, and the fix (commands and paths inside stay as they are).
                Repeater {
                    model: root.v.checks || []
                    delegate: Column {
                        required property var modelData
                        objectName: "check-" + modelData.name
                        width: parent.width
                        spacing: 2 * Theme.unit
                        readonly property color tone: modelData.status === "fail" ? Theme.danger
                                                    : (modelData.status === "warn" ? Theme.warning : Theme.text)
                        BodyText {
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                            color: parent.tone
                            text: (parent.modelData.status === "ok" ? "✓ " : (parent.modelData.status === "warn" ? "! " : "✗ "))
                                  + parent.modelData.title
                        }
                        BodyText { font.pixelSize: Theme.fontSmall; color: parent.tone; text: parent.modelData.found }
                        BodyText {
                            visible: !!parent.modelData.fix
                            font.pixelSize: Theme.fontSmall
                            color: Theme.muted
                            text: parent.modelData.fix || ""
                        }
                    }
                }
            }

            Card {
                objectName: "deskToday"
                title: qsTr("Today")
                BodyText {
                    visible: (root.v.today || []).length === 0
                    text: qsTr("No submission yet today.")
                    color: Theme.muted
                }
                Repeater {
                    model: root.v.today || []
                    delegate: Item {
                        required property var modelData
                        width: parent.width
                        height: Math.max(info.implicitHeight, again.height) + Theme.gap / 2
                        Column {
                            id: info
                            anchors { left: parent.left; right: again.left; rightMargin: Theme.gap }
                            BodyText { text: modelData.time + "  " + modelData.tracking; font.bold: true }
                            BodyText { text: modelData.procedure; font.pixelSize: Theme.fontSmall }
                            BodyText {
                                font.pixelSize: Theme.fontSmall
                                color: modelData.print_problem ? Theme.danger : Theme.muted
                                text: modelData.state_label
                                      + (modelData.assisted ? " · " + qsTr("assisted") : "")
                                      + (modelData.print_problem ? " · " + modelData.print_problem
                                         : (modelData.printed ? "" : " · " + qsTr("receipt not printed")))
                            }
                        }
                        KButton {
                            id: again
                            objectName: "reprint-" + modelData.tracking
                            anchors { right: parent.right; verticalCenter: parent.verticalCenter }
                            kind: modelData.printed ? "secondary" : "primary"
                            fontSize: Theme.fontSmall
                            text: qsTr("Reprint")
                            onClicked: desk.reprint(modelData.tracking)
                        }
                    }
                }
            }

            Card {
                objectName: "deskService"
                title: qsTr("Kiosk service")
                BodyText {
                    text: root.v.service && root.v.service.in_service ? qsTr("In service.")
                                                                      : (root.v.service ? root.v.service.message : "")
                    font.bold: true
                    color: root.v.service && root.v.service.in_service ? Theme.confirm : Theme.danger
                }
                Flow {
                    width: parent.width
                    visible: !!(root.v.service && !root.v.service.in_service)
                    KButton {
                        objectName: "deskBackInService"
                        kind: "confirm"
                        text: qsTr("Put back in service")
                        onClicked: desk.setService(true, "")
                    }
                }
                Repeater {
                    model: root.v.service && root.v.service.in_service ? (root.v.reasons || []) : []
                    delegate: KButton {
                        required property var modelData
                        objectName: "deskOff-" + modelData.id
                        width: parent.width
                        wrap: true
                        kind: "secondary"
                        fontSize: Theme.fontSmall
                        text: modelData.text
                        onClicked: desk.setService(false, modelData.id)
                    }
                }
            }
        }
    }
}
