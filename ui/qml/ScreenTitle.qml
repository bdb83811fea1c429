import QtQuick

Text {
    width: parent ? parent.width : implicitWidth
    wrapMode: Text.Wrap
    horizontalAlignment: Text.AlignLeft  // mirrored to the right in Arabic
    font.pixelSize: Theme.fontTitle
    font.bold: true
    color: Theme.text
}
