import QtQuick
import QtQuick.Window

// The technician's catalog screen: the edition in use, packages found on a USB stick
// (touch one to install it), installed editions (touch one to use it again), and the
// outcome of the last action with its precise reason. Touch only.
Window {
    id: root
    width: kioskWidth
    height: kioskHeight
    visible: true
    visibility: kioskFullscreen ? Window.FullScreen : Window.Windowed
    color: Theme.background
    title: "Guichet — technicien"

    LayoutMirroring.enabled: vm.rtl
    LayoutMirroring.childrenInherit: true
    Binding { target: Theme; property: "windowWidth"; value: root.width }
    Binding { target: Theme; property: "windowHeight"; value: root.height }
    Binding { target: Theme; property: "dpi"; value: kioskDpi }

    CatalogAdminPage {
        anchors.fill: parent
        model: vm
    }
}
