import TraceModel

/// The Jaeger search panel's fields, as text the user edits.
public struct SearchForm: Equatable, Sendable {
    public enum Field: Int, CaseIterable, Sendable {
        case service, operation, tags, lookback, start, end, minDuration, maxDuration, limit

        public var label: String {
            ["Service", "Operation", "Tags", "Lookback", "Start", "End", "Min duration", "Max duration", "Limit"][rawValue]
        }

        public var hint: String {
            ["required", "any", "http.status_code=500 error=true", "15m, 1h, 6h, 2d", "custom window: 2026-11-25 09:00 (UTC)",
             "empty: now", "e.g. 120ms", "e.g. 1.5s", "results"][rawValue]
        }
    }

    public var values: [String]
    public var focus = Field.service
    public var error: String?

    public init(service: String = "", lookback: String = "1h", limit: String = "20") {
        values = [service, "", "", lookback, "", "", "", "", limit]
    }

    public subscript(field: Field) -> String {
        get { values[field.rawValue] }
        set { values[field.rawValue] = newValue }
    }

    /// A checked search, or the reason it cannot run.
    public struct Search: Equatable, Sendable {
        public var service: String
        public var operation: String?
        public var tags: [String: String]
        public var lookback: Int64
        /// A fixed window (epoch ns) instead of the sliding lookback, when a start is given.
        public var window: ClosedRange<Int64>?
        public var minDuration: Int64?
        public var maxDuration: Int64?
        public var limit: Int
    }

    public func validated() -> Result<Search, SearchFormError> {
        let service = self[.service].trimmed
        guard !service.isEmpty else { return .failure(SearchFormError(field: .service, message: "a service is required")) }
        var tags: [String: String] = [:]
        for word in self[.tags].split(separator: " ") {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                return .failure(SearchFormError(field: .tags, message: "tags are key=value, separated by spaces"))
            }
            tags[String(word[..<eq])] = String(word[word.index(after: eq)...])
        }
        guard let lookback = DurationFormat.parse(self[.lookback]), lookback > 0 else {
            return .failure(SearchFormError(field: .lookback, message: "lookback is a duration like 1h"))
        }
        var window: ClosedRange<Int64>?
        let startText = self[.start].trimmed, endText = self[.end].trimmed
        if !startText.isEmpty || !endText.isEmpty {
            guard !startText.isEmpty else { return .failure(SearchFormError(field: .start, message: "an end needs a start")) }
            guard let start = Self.time(startText) else {
                return .failure(SearchFormError(field: .start, message: "start is a time like 2026-11-25 09:00 or RFC 3339"))
            }
            var end = Int64.max
            if !endText.isEmpty {
                guard let e = Self.time(endText) else {
                    return .failure(SearchFormError(field: .end, message: "end is a time like 2026-11-25 10:00 or RFC 3339"))
                }
                end = e
            }
            guard start < end else { return .failure(SearchFormError(field: .end, message: "end is before start")) }
            window = start...end
        }
        func duration(_ f: Field) -> Result<Int64?, SearchFormError> {
            let t = self[f].trimmed
            if t.isEmpty { return .success(nil) }
            guard let d = DurationFormat.parse(t) else { return .failure(SearchFormError(field: f, message: "\(f.label.lowercased()) is a duration like 120ms")) }
            return .success(d)
        }
        let minD: Int64?, maxD: Int64?
        switch duration(.minDuration) { case .success(let d): minD = d; case .failure(let e): return .failure(e) }
        switch duration(.maxDuration) { case .success(let d): maxD = d; case .failure(let e): return .failure(e) }
        if let a = minD, let b = maxD, a > b {
            return .failure(SearchFormError(field: .maxDuration, message: "max duration is below min duration"))
        }
        guard let limit = Int(self[.limit].trimmed), (1...1500).contains(limit) else {
            return .failure(SearchFormError(field: .limit, message: "limit is a number from 1 to 1500"))
        }
        let op = self[.operation].trimmed
        return .success(Search(service: service, operation: op.isEmpty ? nil : op, tags: tags, lookback: lookback, window: window,
                               minDuration: minD, maxDuration: maxD, limit: limit))
    }

    /// RFC 3339, or the shorter `2026-11-25 09:00` (UTC) people type.
    static func time(_ text: String) -> Int64? {
        if let t = RFC3339.parse(text) { return t }
        if text.count == 16 { return RFC3339.parse(text + ":00") }
        if text.count == 10 { return RFC3339.parse(text + "T00:00:00Z") }
        return nil
    }
}

public struct SearchFormError: Error, Equatable, Sendable {
    public var field: SearchForm.Field
    public var message: String
}

/// The form as a centered box over the current screen.
enum SearchFormView {
    static func draw(_ state: AppState, _ form: SearchForm, into canvas: inout Canvas) {
        let content = state.layout.content
        let width = min(content.width - 4, 76)
        let height = SearchForm.Field.allCases.count + 5
        let x = (canvas.width - width) / 2
        let y = content.y + max(0, (content.height - height) / 2)
        canvas.fill(x: x, y: y, width: width, height: height, style: Style())
        let border = Style(.border)
        canvas.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, style: border)
        canvas.put(" Search Jaeger ", x: x + 2, y: y, style: Style(.accent, bold: true))
        for row in 1..<(height - 1) {
            canvas.put("│", x: x, y: y + row, style: border)
            canvas.put("│", x: x + width - 1, y: y + row, style: border)
        }
        canvas.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, style: border)
        let valueWidth = width - 20
        for field in SearchForm.Field.allCases {
            let fy = y + 1 + field.rawValue
            let focused = form.focus == field
            canvas.put(DisplayWidth.pad(field.label, to: 14), x: x + 2, y: fy, style: Style(focused ? .accent : .muted, bold: focused))
            let value = form[field]
            if focused { canvas.fill(x: x + 16, y: fy, width: valueWidth, style: Style(.cursor)) }
            if value.isEmpty && !focused {
                canvas.put(field.hint, x: x + 16, y: fy, style: Style(.muted), maxWidth: valueWidth)
            } else {
                // Show the end of a long value, where typing happens.
                var shown = value
                while DisplayWidth.of(shown) > valueWidth - 1 { shown.removeFirst() }
                let used = canvas.put(shown, x: x + 16, y: fy, style: focused ? Style(.cursor) : Style(), maxWidth: valueWidth)
                if focused { canvas.put("▏", x: x + 16 + used, y: fy, style: Style(.cursor)) }
            }
        }
        let services = state.remoteServices
        let info: String
        if let error = form.error {
            info = "✗ " + error
        } else if form.focus == .service && !services.isEmpty {
            let prefix = form[.service].lowercased()
            let matches = services.filter { $0.lowercased().hasPrefix(prefix) }
            info = matches.isEmpty ? "no service starts with \"\(form[.service])\"" : "Tab completes: " + matches.prefix(5).joined(separator: ", ")
        } else {
            info = "↑↓ field · Enter search · Esc cancel"
        }
        canvas.put(info, x: x + 2, y: y + height - 2, style: Style(form.error == nil ? .muted : .error), maxWidth: width - 4)
    }
}
