public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
}

/// Where things go on the screen. Shared by `update` (to know how many rows fit) and
/// the views (to draw), so scrolling and drawing always agree.
public struct Layout: Equatable, Sendable {
    public static let minimumWidth = 60
    public static let minimumHeight = 15
    /// From this width the span detail sits beside the waterfall, below it otherwise.
    public static let sideBySideWidth = 130

    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
    public var content: Rect { Rect(x: 0, y: 1, width: width, height: max(0, height - 3)) }
    public var statusRow: Int { height - 2 }
    public var hintRow: Int { height - 1 }
    /// Rows of a list below its header.
    public var listRows: Int { max(1, content.height - 1) }
    public var sideBySide: Bool { width >= Self.sideBySideWidth }

    public var waterfallPane: Rect {
        let c = content
        if sideBySide {
            return Rect(x: 0, y: c.y, width: c.width * 3 / 5, height: c.height)
        }
        return Rect(x: 0, y: c.y, width: c.width, height: max(3, c.height * 11 / 20))
    }

    /// Below a one-row title line (a border) that names the pane.
    public var detailPane: Rect {
        let c = content, w = waterfallPane
        if sideBySide {
            return Rect(x: w.width + 1, y: c.y, width: c.width - w.width - 1, height: c.height)
        }
        return Rect(x: 0, y: w.y + w.height, width: c.width, height: c.height - w.height)
    }

    /// Waterfall rows below its time-axis header.
    public var waterfallRows: Int { max(1, waterfallPane.height - 1) }
    public var detailRows: Int { max(1, detailPane.height - 1) }
}
