import QtQuick

// Staff accounts on the desk (technicians): every account with its role and lockout, and
// for each a new PIN, unlock, or removal (never one's own: one changes one's own PIN,
// the current one first); a new account. Each change goes through kiosk/desk.py, where
// kiosk/staff.py checks the role and records it. The form replaces the list while open.
Item {
    id: root
    readonly property var v: desk.view
    readonly property var form: v.form || ({})
    readonly property bool editing: !!form.kind

    DeskStaffForm {
        anchors.fill: parent
        visible: root.editing
        form: root.form
        title: root.form.kind === "add" ? qsTr("New staff account")
               : root.form.kind === "pin" ? qsTr("New PIN for %1 (%2)").arg(root.form.target_name || "").arg(root.form.target || "")
               : root.form.kind === "my_pin" ? qsTr("Change my PIN")
               : qsTr("Remove an account")
    }

    Flickable {
        objectName: "staffScroll"
        visible: !root.editing
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

            ScreenTitle { text: qsTr("Staff accounts") }
            BodyText { objectName: "staffNotice"; visible: text !== ""; color: Theme.confirm; font.bold: true; text: root.v.notice || "" }
            BodyText { objectName: "staffPageError"; visible: text !== ""; color: Theme.danger; font.bold: true; text: root.v.error || "" }
            KButton {
                objectName: "staffAdd"
                width: parent.width
                icon: "person.svg"
                text: qsTr("Add a staff account")
                onClicked: desk.staffForm("add", "")
            }

            Repeater {
                model: root.v.staff || []
                delegate: Rectangle {
                    id: row
                    required property var modelData
                    objectName: "staffRow-" + modelData.id
                    width: col.width
                    height: rowCol.implicitHeight + 2 * Theme.gap
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: row.modelData.locked_for > 0 ? Theme.danger : Theme.outline
                    border.width: 2
                    Column {
                        id: rowCol
                        x: Theme.gap; y: Theme.gap
                        width: parent.width - 2 * Theme.gap
                        spacing: Theme.gap / 2
                        BodyText {
                            text: row.modelData.id + " · " + row.modelData.name
                            font.bold: true
                        }
                        BodyText {
                            font.pixelSize: Theme.fontSmall
                            color: row.modelData.locked_for > 0 ? Theme.danger : Theme.muted
                            text: row.modelData.role_label
                                  + (row.modelData.me ? " · " + qsTr("you") : "")
                                  + (row.modelData.locked_for > 0 ? " · " + qsTr("locked for %1 s").arg(row.modelData.locked_for) : "")
                                  + (row.modelData.badge ? " · " + qsTr("staff card %1").arg(row.modelData.badge) : "")
                        }
                        BodyText {
                            objectName: "staffBadgeWait-" + row.modelData.id
                            visible: !!row.modelData.waiting_badge
                            color: Theme.primary
                            font.bold: true
                            text: qsTr("Put the staff card of %1 on the reader.").arg(row.modelData.name)
                        }
                        Flow {
                            width: parent.width
                            spacing: Theme.gap / 2
                            KButton {
                                objectName: "staffPin-" + row.modelData.id
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: row.modelData.me ? qsTr("Change my PIN") : qsTr("New PIN")
                                onClicked: desk.staffForm("pin", row.modelData.id)
                            }
                            KButton {
                                objectName: "staffUnlock-" + row.modelData.id
                                visible: row.modelData.locked_for > 0
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: qsTr("Unlock")
                                onClicked: desk.unlock(row.modelData.id)
                            }
                            KButton {
                                objectName: "staffBadge-" + row.modelData.id
                                visible: !row.modelData.waiting_badge
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: row.modelData.badge ? qsTr("New staff card") : qsTr("Enrol a staff card")
                                onClicked: desk.waitBadge(row.modelData.id)
                            }
                            KButton {
                                objectName: "staffBadgeRemove-" + row.modelData.id
                                visible: !!row.modelData.badge && !row.modelData.waiting_badge
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: qsTr("Remove the staff card")
                                onClicked: desk.removeBadge(row.modelData.id)
                            }
                            KButton {
                                objectName: "staffBadgeCancel-" + row.modelData.id
                                visible: !!row.modelData.waiting_badge
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: qsTr("Cancel")
                                onClicked: desk.cancelBadge()
                            }
                            KButton {
                                objectName: "staffRemove-" + row.modelData.id
                                visible: !row.modelData.me
                                kind: "secondary"
                                fontSize: Theme.fontSmall
                                text: qsTr("Remove")
                                onClicked: desk.staffForm("remove", row.modelData.id)
                            }
                        }
                    }
                }
            }
        }
    }
}
