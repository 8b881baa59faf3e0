import Testing
import TraceModel
@testable import ExplorerUI

/// Cutting a big trace down: runs of alike siblings, auto-folded fan-outs, a hiding
/// filter that keeps ancestors, duration thresholds, and matches found inside folds.
@Suite struct BigTraceTests {
    /// root (10 s) → import (9 s) → 48 × db.write_row (10 ms each, one slow at 400 ms,
    /// one failing) + validate; root → fanout with 60 distinct children; root → cache.
    func bigState(width: Int = 120, height: Int = 32) -> AppState {
        var spans = [span("a", "1", name: "import catalog", service: "importer", start: 0, end: 10_000_000_000)]
        spans.append(span("a", "2", parent: "1", name: "import batch", service: "importer", start: 1_000_000, end: 9_000_000_000))
        for r in 0..<48 {
            let start = Int64(2_000_000 + r * 20_000_000)
            let slow = r == 7
            spans.append(span("a", String(0x100 + r, radix: 16), parent: "2", name: "db.write_row", service: "postgres",
                              start: start, end: start + (slow ? 400_000_000 : 10_000_000), error: r == 30,
                              attributes: [Attribute("app.row", .int(Int64(r)))]))
        }
        spans.append(span("a", "3", parent: "2", name: "validate", service: "importer", start: 8_000_000_000, end: 8_500_000_000))
        spans.append(span("a", "4", parent: "1", name: "fanout", service: "importer", start: 9_000_000_000, end: 9_900_000_000))
        for c in 0..<60 {
            spans.append(span("a", String(0x1000 + c, radix: 16), parent: "4", name: "shard \(c)", service: "search",
                              start: 9_000_000_000 + Int64(c) * 1_000_000, end: 9_000_000_000 + Int64(c) * 1_000_000 + 500_000))
        }
        spans.append(span("a", "5", parent: "1", name: "cache GET", service: "redis", start: 9_950_000_000, end: 9_960_000_000))
        var s = AppState(store: TraceStore(), sourceName: "t", width: width, height: height)
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("a")!)
        return s
    }

    func labels(_ s: AppState) -> [String] {
        guard let w = s.waterfall else { return [] }
        return w.rows.map { row in
            switch row.kind {
            case .span(let i): return w.trace.spans[i].name + (row.isCollapsed ? " +\(row.hiddenDescendants)" : "")
            case .run(let m): return "\(w.trace.spans[m[0]].name) ×\(m.count)" + (row.isCollapsed ? "" : " open")
            case .missingParent: return "missing"
            }
        }
    }

    @Test func runsFoldAndFanOutsStartFolded() {
        var s = bigState()
        #expect(labels(s) == ["import catalog", "import batch", "db.write_row ×48", "validate", "fanout +60", "cache GET"])
        // The run row sums its members and marks the failing one.
        let screen = render(s).text
        #expect(screen.contains("db.write_row ×48  Σ870ms max 400ms"), "\(screen)")
        s.press(.down, .down, .char(" "))
        #expect(labels(s).count == 6 + 48)
        #expect(labels(s)[2] == "db.write_row ×48 open")
        #expect(s.waterfall?.position.cursor == 2, "the cursor stays on the run")
        s.press(.left)
        #expect(labels(s).count == 6)
        s.press(.right)
        #expect(labels(s).count == 54)
        s.press(.char("c"))
        #expect(labels(s) == ["import catalog +112"])
        s.press(.char("e"))
        #expect(labels(s).count == 1 + 1 + 1 + 48 + 1 + 1 + 60 + 1, "expand all opens runs and fan-outs")
    }

    /// Auto-folding counts the rows a span's children take: 120 alike children are one
    /// run row and leave the parent open; 40 alike plus 55 distinct take 56 and fold it.
    @Test func autoFoldCountsRowsNotChildren() {
        var spans = [span("b", "1", name: "root", start: 0, end: 10_000_000)]
        spans.append(span("b", "2", parent: "1", name: "bulk", start: 1, end: 9_000_000))
        for c in 0..<120 {
            spans.append(span("b", String(0x100 + c, radix: 16), parent: "2", name: "cache SET", service: "redis",
                              start: 10 + Int64(c) * 1000, end: 500 + Int64(c) * 1000))
        }
        spans.append(span("b", "3", parent: "1", name: "mixed", start: 9_000_001, end: 9_900_000))
        for c in 0..<95 {
            let alike = c < 40
            spans.append(span("b", String(0x1000 + c, radix: 16), parent: "3", name: alike ? "db.read" : "step \(c)",
                              start: 9_000_010 + Int64(c) * 1000, end: 9_000_500 + Int64(c) * 1000))
        }
        var s = AppState(store: TraceStore(), sourceName: "t", width: 120, height: 32)
        s.update(.spans(spans))
        s.update(.tick(milliseconds: 1_000))
        s.openTrace(TraceID("b")!)
        #expect(labels(s) == ["root", "bulk", "cache SET ×120", "mixed +95"])
    }

    @Test func runDetailSummarises() {
        var s = bigState(width: 140, height: 40)
        s.press(.down, .down)
        let screen = render(s).text
        #expect(screen.contains("48 siblings in a row"))
        #expect(screen.contains("max       400ms"))
        #expect(screen.contains("errors    1"))
    }

    @Test func hidingFilterKeepsAncestors() {
        var s = bigState()
        s.press(.char("/"))
        s.type("is:error")
        s.press(.enter)
        #expect(s.waterfall?.matchSpans.count == 1)
        // Jumping to the match opened its run.
        #expect(labels(s).contains("db.write_row ×48 open"))
        s.press(.char("H"))
        #expect(labels(s) == ["import catalog", "import batch", "db.write_row"])
        #expect(render(s).text.contains("filter: 1 of 113 match"))
        s.press(.char("H"))
        #expect(labels(s).count > 6)
    }

    @Test func durationShareHidesShortSpans() {
        var s = bigState()
        s.press(.char("/"))
        s.type(">2.5%")
        s.press(.enter, .char("H"))
        // 2.5% of 10 s is 250 ms: the slow row, validate, fanout and their ancestors.
        #expect(labels(s) == ["import catalog", "import batch", "db.write_row", "validate", "fanout"])
        s.press(.escape)  // clears the query and the filter
        s.press(.char("/"))
        s.type(">300ms svc:postgres")
        s.press(.enter)
        #expect(s.waterfall?.matchSpans.count == 1)
    }

    @Test func attributeTermsAndNextMatchOpenFolds() {
        var s = bigState()
        s.press(.char("c"))
        s.press(.char("/"))
        s.type("app.row=12")
        s.press(.enter)
        let w = s.waterfall!
        #expect(w.matchSpans.count == 1)
        #expect(w.selectedSpan?.attributes.first?.value == .int(12), "the match inside a collapsed subtree and a folded run was revealed")
        s.press(.escape)
        s.press(.char("/"))
        s.type("shard")
        s.press(.enter)
        #expect(s.waterfall?.matchSpans.count == 60)
        #expect(s.waterfall?.selectedSpan?.name == "shard 0")
        s.press(.char("n"), .char("n"))
        #expect(s.waterfall?.selectedSpan?.name == "shard 2")
        s.press(.char("N"), .char("N"), .char("N"))
        #expect(s.waterfall?.selectedSpan?.name == "shard 59", "N wraps around")
    }

    @Test func hideWithoutAQueryExplains() {
        var s = bigState()
        s.press(.char("H"))
        #expect(s.message?.contains("type a query first") == true)
        #expect(s.waterfall?.hideNonMatching == false)
    }

    @Test func queryParsing() {
        let q = WaterfallQuery(">2.5% <2s >5ms svc:DB op:write k=V is:error word")
        #expect(q.minShare == 0.025)
        #expect(q.maxDuration == 2_000_000_000)
        #expect(q.minDuration == 5_000_000)
        #expect(q.services == ["db"])
        #expect(q.operations == ["write"])
        #expect(q.attributes.map(\.key) == ["k"] && q.attributes.map(\.value) == ["v"])
        #expect(q.errorsOnly)
        #expect(q.words == ["word"])
        #expect(WaterfallQuery("  ").isEmpty)
    }

    @Test(arguments: [(120, 32), (70, 20)]) func bigTraceGolden(_ w: Int, _ h: Int) {
        var s = bigState(width: w, height: h)
        s.press(.down, .down)
        expectGolden(render(s), "bigtrace-\(w)x\(h)")
    }
}
