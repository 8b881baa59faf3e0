import ExplorerUI
import TraceModel
import TraceSources

/// One fuzz case: the bytes go through both decoders, the store, and every screen a
/// user would open on what they hold. A property that fails stops the process, so
/// libFuzzer (or the replay mode) reports the input that broke it:
/// - a good line after the mutated bytes is always decoded (bad input loses nothing);
/// - no cell of any screen holds a control character or an ESC (data never drives
///   the terminal).
enum FuzzOneInput {
    static let sentinel = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"fuzz"}}]},"scopeSpans":[{"spans":[{"traceId":"0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f","spanId":"0f0f0f0f0f0f0f0f","name":"fuzz-sentinel","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]}"#

    static func run(_ input: [UInt8]) {
        // OTLP JSON Lines: the input as one record (newlines removed so it cannot
        // split into lines that happen to be good), then a known-good line.
        let line = input.filter { $0 != 0x0A }
        let loaded = FileLoader.load(bytes: line + [0x0A] + Array(sentinel.utf8) + [0x0A])
        guard loaded.spans.contains(where: { $0.name == "fuzz-sentinel" }) else {
            fatalError("the good line after a bad one was lost: \(loaded.issues)")
        }
        // The same bytes as they are, as a file would hold them (several lines).
        let asFile = FileLoader.load(bytes: input)
        // Jaeger's JSON model.
        let jaeger = (try? JaegerJSONDecoder().decode(input))?.spans ?? []

        // One UI for all three: screens cost far more than decoding, and libFuzzer
        // needs many runs a second. The size alternates so narrow layouts get their turn.
        let wide = input.count % 2 == 0
        exerciseScreens(loaded.spans + asFile.spans + jaeger, width: wide ? 80 : 61, height: wide ? 24 : 15)
    }

    /// Opens the services, traces, waterfall, detail and insights screens (and scrolls
    /// the detail), checking every cell.
    static func exerciseScreens(_ spans: [Span], width: Int, height: Int) {
        do {
            var state = AppState(store: TraceStore(), sourceName: "fuzz", width: width, height: height)
            state.update(.spans(spans))
            state.update(.tick(milliseconds: 1_000))
            check(render(state))
            state.update(.key(.char("t")))
            check(render(state))
            for id in Array(Set(spans.map(\.traceID))).prefix(3) {
                state.openTrace(id)
                check(render(state))
                for key: Key in [.char("e"), .down, .down, .tab, .pageDown, .end, .tab, .char("c"), .up] {
                    state.update(.key(key))
                    check(render(state))
                }
            }
            state.update(.key(.char("i")))
            check(render(state))
        }
    }

    static func check(_ canvas: Canvas) {
        if let first = canvas.controlCharacterCells.first {
            fatalError("control character \(first) reached the screen:\n\(canvas.text)")
        }
    }
}
