import QtQuick

// Body text that takes its parent's width, so mirrored alignment applies in Arabic.
Text {
    width: parent ? parent.width : implicitWidth
    wrapMode: Text.Wrap
    horizontalAlignment: Text.AlignLeft  // mirrored to the right in Arabic
    font.pixelSize: Theme.fontBody
    color: Theme.text
    lineHeight: 1.15
}
