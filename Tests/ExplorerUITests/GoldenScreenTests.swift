import Testing
import TraceModel
@testable import ExplorerUI

/// Every view at two sizes, from real fixture traces.
@Suite struct GoldenScreenTests {
    static let sizes = [(120, 32), (70, 20)]

    func state(_ w: Int, _ h: Int) throws -> AppState {
        let store = try loadStore([
            "otlp/python-sdk-file-exporter.jsonl", "otlp/opentelemetry-proto-examples-trace.json",
            "jaeger-storage-integration/example_trace.json", "jaeger-storage-integration/span_tags_trace.json",
            "jaeger-storage-integration/multiple1_trace.json",
        ])
        var s = AppState(store: store, sourceName: "fixtures.jsonl", width: w, height: h)
        s.update(.health(.following))
        return s
    }

    @Test(arguments: sizes) func services(_ w: Int, _ h: Int) throws {
        expectGolden(render(try state(w, h)), "services-\(w)x\(h)")
    }

    @Test(arguments: sizes) func allTraces(_ w: Int, _ h: Int) throws {
        var s = try state(w, h)
        s.press(.char("t"))
        expectGolden(render(s), "traces-\(w)x\(h)")
    }

    /// Counts of six and seven digits stay apart from the column on their left: a
    /// million-span trace once printed "1m30s1000000".
    @Test(arguments: sizes) func tracesWithHugeCounts(_ w: Int, _ h: Int) throws {
        var s = try state(w, h)
        let rows: [(String, Int, Int, Int64)] = [("b16", 1_000_000, 12_345, 90_000_000_000), ("b17", 250_000, 0, 61_000_000_000),
                                                  ("b18", 98_040, 9_999, 1_500_000_000), ("b19", 1_960, 3, 120_000_000)]
        s.update(.remoteSummaries(rows.enumerated().map { i, r in
            TraceSummary(traceID: TraceID(r.0)!, rootService: "loadgen", rootName: "replay \(r.1) spans", hasRoot: true,
                         startTime: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000_000, duration: r.3, spanCount: r.1,
                         errorCount: r.2, serviceCount: 1)
        }))
        s.press(.char("t"))
        expectGolden(render(s), "traces-huge-counts-\(w)x\(h)")
    }

    @Test(arguments: sizes) func waterfallWithErrorAndDetail(_ w: Int, _ h: Int) throws {
        var s = try state(w, h)
        s.openTrace(TraceID("2853b91a375aa28ba20bb50edf4f6bc8")!)
        s.press(.down, .down)
        expectGolden(render(s), "waterfall-\(w)x\(h)")
    }

    @Test(arguments: sizes) func orphanUnderMissingParentPlaceholder(_ w: Int, _ h: Int) throws {
        var s = try state(w, h)
        s.openTrace(TraceID("5b8efff798038103d269b633813fc60c")!)
        expectGolden(render(s), "orphan-\(w)x\(h)")
    }

    @Test(arguments: sizes) func helpOverlay(_ w: Int, _ h: Int) throws {
        var s = try state(w, h)
        s.press(.char("?"))
        expectGolden(render(s), "help-\(w)x\(h)")
    }

    @Test func wideCharactersAndEscapesKeepTheLayout() {
        var store = TraceStore()
        store.add([
            span("ab", "1", name: "注文を処理する 🚀", service: "サービス", start: 1_000_000_000, end: 1_050_000_000, attributes: [
                Attribute("evil", .string("\u{1B}]0;pwned\u{07}\u{1B}[2Jgone\u{202E}txet")),
                Attribute("emoji", .string("👍🏽 ok")),
            ]),
            span("ab", "2", parent: "1", name: "child\u{1B}[31m red", service: "サービス", start: 1_010_000_000, end: 1_020_000_000),
        ])
        var s = AppState(store: store, sourceName: "wide.jsonl", width: 120, height: 40)
        s.openTrace(TraceID("ab")!)
        s.press(.tab, .char("G"))
        let canvas = render(s)
        expectGolden(canvas, "wide-escapes-120x40")
        // Every row is exactly the screen's width: nothing broke the layout.
        for y in 0..<canvas.height {
            #expect(DisplayWidth.of(canvas.line(y)) == 120, "row \(y): \(canvas.line(y))")
        }
        #expect(!canvas.text.contains("\u{1B}"))
        #expect(canvas.text.contains("\\x1b]0;pwned\\x07\\x1b[2Jgone\\u202etxet"))
    }

    @Test func tooSmallTerminalSaysSo() throws {
        var s = try state(50, 10)
        s.update(.resize(width: 50, height: 10))
        let text = render(s).text
        #expect(text.contains("spanscope needs 60×15"))
        #expect(text.contains("this terminal is 50×10"))
    }

    @Test func everyScreenFitsDownToTheMinimum() throws {
        for (w, h) in [(60, 15), (61, 16), (200, 60)] {
            var s = try state(w, h)
            for keys in [[Key](), [.char("t")], [.char("t"), .enter], [.char("t"), .enter, .tab], [.char("?")]] {
                var t = s
                for k in keys { t.update(.key(k)) }
                let c = render(t)
                for y in 0..<h { #expect(DisplayWidth.of(c.line(y)) == w) }
            }
            s.update(.resize(width: w, height: h))
        }
    }
}
