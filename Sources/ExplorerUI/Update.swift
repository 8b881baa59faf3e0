import TraceInsights
import TraceModel

extension AppState {
    public var layout: Layout { Layout(width: width, height: height) }

    /// Which key context is active.
    public var keyContext: Context {
        switch screen {
        case .services: return .services
        case .traces: return .traces
        case .waterfall: return waterfall?.focus == .detail ? .detail : .waterfall
        case .insights: return .insights
        }
    }

    /// Applies one message; the returned effects are for the outside world.
    @discardableResult
    public mutating func update(_ msg: Msg) -> [Effect] {
        var effects = apply(msg)
        if !refreshEffects.isEmpty {
            effects += refreshEffects
            refreshEffects = []
        }
        return effects
    }

    /// New spans from a source, taken (the batch is left empty) where `.spans` copies
    /// them: the main loop hands over every batch it drains, and a copy would retain
    /// and later release each span's references.
    public mutating func receive(taking spans: inout [Span]) {
        guard !spans.isEmpty else { return }
        if paused {
            held += spans
            spans = []
        } else {
            store.add(taking: &spans)
        }
        needsRender = true
    }

    private mutating func apply(_ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            needsRender = true
            message = nil
            let effects = handle(key)
            // Keys that change what is shown refresh it themselves; new data waits for
            // the throttled tick, so a key never pays for a recompute of a big store.
            if lastRefreshMillis == nil { refresh() }
            return effects
        case .resize(let w, let h):
            width = w
            height = h
            needsRender = true
            clampAll()
        case .spans(let spans):
            if paused { held += spans } else { store.add(spans) }
            needsRender = true
        case .health(let h):
            if h != health { health = h; needsRender = true }
        case .decodeIssue(let issue):
            decodeIssueCount += 1
            lastDecodeIssue = issue
            needsRender = true
        case .sourceNotice(let text):
            message = text
            needsRender = true
        case .remoteSummaries(let rows):
            for row in rows { remoteSummaries[row.traceID] = row }
            needsRender = true
            forceRefresh()
        case .remoteServices(let names):
            if names != remoteServices {
                remoteServices = names
                forceRefresh()
            }
        case .waterfallRebuilt(let result, let took):
            adoptRebuild(result, tookMillis: took)
        case .tick(let now):
            lastTickMillis = now
            if let id = pendingTraceToOpen, store.trace(id) != nil {
                pendingTraceToOpen = nil
                openTrace(id)
                needsRender = true
            }
            if store.generation != shownGeneration && now - (lastRefreshMillis ?? now - refreshIntervalMillis) >= refreshIntervalMillis {
                lastRefreshMillis = now
                refresh()
            } else if findingsBehind > 0 {
                continueFindings()
            }
        }
        return []
    }

    // MARK: keys

    private mutating func handle(_ key: Key) -> [Effect] {
        if searchForm != nil { return handleSearchForm(key) }
        if prompt != nil { return handlePrompt(key) }
        if showHelp {
            switch KeyMap.action(for: key, in: .global) {
            case .up: help.cursor -= 1
            case .down: help.cursor += 1
            case .pageUp: help.cursor -= layout.content.height
            case .pageDown: help.cursor += layout.content.height
            case .quit: return [.quit]
            default: showHelp = false
            }
            return []
        }
        guard let action = KeyMap.action(for: key, in: keyContext) else { return [] }
        defer { pendingEffects.removeAll() }
        switch action {
        case .quit: return [.quit]
        case .help:
            showHelp = true
            help = ListPosition()
        case .pause:
            paused.toggle()
            if !paused { store.add(taking: &held) }
            return canSearch ? [.setPaused(paused)] : []
        case .searchForm:
            guard canSearch else {
                message = "searching needs a Jaeger source (--jaeger URL)"
                return []
            }
            var form = lastSearchForm
            if screen == .services, services.position.cursor < services.rows.count {
                form[.service] = services.rows[services.position.cursor].name
            }
            form.error = nil
            form.focus = form[.service].isEmpty ? .service : .operation
            searchForm = form
        case .filter:
            prompt = Prompt(text: currentFilterText, screen: screen)
        case .back: goBack()
        case .open:
            open()
            return pendingEffects
        case .up: move(by: -1)
        case .down: move(by: 1)
        case .pageUp: move(by: -pageSize)
        case .pageDown: move(by: pageSize)
        case .top: move(by: Int.min / 2)
        case .bottom: move(by: Int.max / 2)
        case .cycleSort:
            services.sort = ServiceSort(rawValue: (services.sort.rawValue + 1) % ServiceSort.allCases.count)!
            // Narrow screens hide the last-seen column: don't sort by what can't be seen.
            if services.sort == .lastSeen && width < 80 { services.sort = .name }
            forceRefresh()
        case .allTraces:
            openTraces(service: nil)
        case .insights:
            screen = .insights
            insights.openRule = nil
            forceRefresh()
        case .toggleErrors:
            traces.errorsOnly.toggle()
            forceRefresh()
        case .copy: return copySelection()
        case .switchPane:
            if let focus = waterfall?.focus { waterfall?.focus = focus == .detail ? .waterfall : .detail }
        case .toggleCollapse, .collapse, .expand, .collapseAll, .expandAll:
            fold(action)
        case .hideNonMatching: toggleHiding()
        case .reveal:
            guard let span = waterfall?.selectedSpan else { return [] }
            if !redact {
                message = "nothing is redacted (--no-redact)"
            } else if waterfall?.revealed == span.spanID {
                waterfall?.revealed = nil
                message = "secret-looking values hidden again"
            } else {
                waterfall?.revealed = span.spanID
                message = "revealing this span's secret-looking values (R hides them)"
            }
        case .nextMatch: jumpToMatch(forward: true)
        case .previousMatch: jumpToMatch(forward: false)
        }
        return []
    }

    private var pageSize: Int {
        switch keyContext {
        case .waterfall: return max(1, layout.waterfallRows - 1)
        case .detail: return max(1, layout.detailRows - 1)
        default: return max(1, layout.listRows - 1)
        }
    }

    private mutating func move(by delta: Int) {
        func shift(_ p: inout ListPosition) {
            let (v, o) = p.cursor.addingReportingOverflow(delta)
            p.cursor = o ? (delta < 0 ? 0 : Int.max / 2) : v
        }
        switch keyContext {
        case .services: shift(&services.position)
        case .traces: shift(&traces.position)
        case .waterfall:
            let before = waterfall?.position.cursor
            shift(&waterfall!.position)
            clampAll()
            if waterfall?.position.cursor != before {
                waterfall?.detail = ListPosition()
                waterfall?.revealed = nil  // R reveals one span, while it stays selected
            }
        case .detail: shift(&waterfall!.detail)
        case .insights:
            if insights.openRule == nil { shift(&insights.position) } else { shift(&insights.examples) }
        case .global: break
        }
        clampAll()
    }

    private mutating func goBack() {
        switch screen {
        case .waterfall:
            if waterfall?.focus == .detail { waterfall?.focus = .waterfall; return }
            if !(waterfall?.search.isEmpty ?? true) { setWaterfallSearch(""); return }
            screen = .traces
            waterfall = nil
            forceRefresh()
        case .traces:
            if !traces.query.isEmpty { traces.query = ""; forceRefresh(); return }
            screen = .services
            forceRefresh()
        case .services:
            if !services.filter.isEmpty { services.filter = ""; forceRefresh() }
        case .insights:
            if insights.openRule != nil { insights.openRule = nil } else { screen = .services; forceRefresh() }
        }
    }

    private mutating func open() {
        switch screen {
        case .services:
            guard services.position.cursor < services.rows.count else { return }
            let name = services.rows[services.position.cursor].name
            if canSearch {
                // Jaeger: Enter searches the service with the last lookback and limit.
                var form = lastSearchForm
                form.values = SearchForm(service: name, lookback: form[.lookback], limit: form[.limit]).values
                pendingEffects.append(contentsOf: submit(form))
                return
            }
            openTraces(service: name)
        case .traces:
            guard traces.position.cursor < traces.rows.count else { return }
            let id = traces.rows[traces.position.cursor].traceID
            if store.trace(id) == nil && remoteSummaries[id] != nil {
                // Only a summary so far: fetch the trace and open it when it arrives.
                pendingTraceToOpen = id
                message = "fetching trace \(id.hex.prefix(12))…"
                pendingEffects.append(.fetchTrace(id))
                return
            }
            openTrace(id)
        case .waterfall:
            if waterfall?.focus == .waterfall { waterfall?.focus = .detail }
        case .insights:
            if let group = insights.openGroup {
                guard insights.examples.cursor < group.findings.count else { return }
                let f = group.findings[insights.examples.cursor]
                if let id = f.traceID {
                    openTrace(id, selecting: f.spanID)
                } else {
                    // An aggregate (service × name pattern): show that service's traces.
                    openTraces(service: f.service)
                }
            } else if insights.position.cursor < insights.groups.count {
                insights.openRule = insights.groups[insights.position.cursor].id
                insights.examples = ListPosition()
            }
        }
    }

    public mutating func openTraces(service: String?) {
        if traces.service != service || screen != .traces {
            traces = TracesViewState(service: service, errorsOnly: traces.errorsOnly)
        }
        screen = .traces
        forceRefresh()
    }

    /// Opens a trace's waterfall (from the list, or directly with `--trace`).
    public mutating func openTrace(_ id: TraceID, selecting spanID: SpanID? = nil) {
        guard let trace = store.trace(id) else {
            message = "trace \(id.hex) is not loaded"
            return
        }
        // A big trace opens with the findings checked so far (and a budget more); a
        // background rebuild checks the rest, so opening it mid-load never stalls.
        let big = trace.spanCount >= backgroundRebuildSpans
        var budget = big ? findingsBudgetSpans : .max
        let entry = findingsEntry(for: trace, budget: &budget)
        var w = WaterfallViewState(trace: trace, findings: entry?.findings ?? [])
        w.findingsComplete = entry?.complete ?? false
        if !w.findingsComplete { shownGeneration = -1 }
        w.options.collapsed = WaterfallLayout.autoCollapsed(trace: trace, tree: w.tree, runThreshold: w.options.runThreshold)
        Self.relayout(&w, keeping: nil)
        if let spanID, let index = trace.index(of: spanID) { Self.reveal(&w, index) }
        waterfall = w
        screen = .waterfall
        clampAll()
    }

    // MARK: search form

    private mutating func handleSearchForm(_ key: Key) -> [Effect] {
        guard var form = searchForm else { return [] }
        form.error = nil
        let fields = SearchForm.Field.allCases
        switch key {
        case .escape:
            searchForm = nil
            return []
        case .enter:
            return submit(form)
        case .down:
            form.focus = fields[min(fields.count - 1, form.focus.rawValue + 1)]
        case .up, .backTab:
            form.focus = fields[max(0, form.focus.rawValue - 1)]
        case .tab:
            if form.focus == .service, let completion = remoteServices.first(where: {
                $0.lowercased().hasPrefix(form[.service].lowercased()) && $0 != form[.service]
            }), !form[.service].isEmpty {
                form[.service] = completion
            } else {
                form.focus = fields[(form.focus.rawValue + 1) % fields.count]
            }
        case .backspace, .delete:
            if !form[form.focus].isEmpty { form[form.focus].removeLast() }
        case .ctrl("u"):
            form[form.focus] = ""
        case .ctrl("c"):
            return [.quit]
        case .char(let c):
            form[form.focus].append(c)
        default:
            break
        }
        searchForm = form
        return []
    }

    /// Runs a search from the form: the traces view shows its service's results.
    private mutating func submit(_ form: SearchForm) -> [Effect] {
        switch form.validated() {
        case .failure(let e):
            var f = form
            f.error = e.message
            f.focus = e.field
            searchForm = f
            return []
        case .success(let search):
            searchForm = nil
            lastSearchForm = form
            openTraces(service: search.service)
            message = "searching \(search.service) over the last \(form[.lookback].trimmed)…"
            return [.search(search)]
        }
    }

    // MARK: filter prompt

    private var currentFilterText: String {
        switch screen {
        case .services: return services.filter
        case .traces: return traces.query
        case .waterfall: return waterfall?.search ?? ""
        case .insights: return ""
        }
    }

    private mutating func handlePrompt(_ key: Key) -> [Effect] {
        guard var p = prompt else { return [] }
        switch key {
        case .enter:
            prompt = nil
            return []
        case .escape:
            prompt = nil
            applyFilter("", on: p.screen)
            return []
        case .backspace, .delete:
            if !p.text.isEmpty { p.text.removeLast() }
        case .ctrl("u"):
            p.text = ""
        case .ctrl("c"):
            return [.quit]
        case .char(let c):
            p.text.append(c)
        default:
            return []
        }
        prompt = p
        applyFilter(p.text, on: p.screen)
        return []
    }

    private mutating func applyFilter(_ text: String, on target: Screen) {
        switch target {
        case .services:
            services.filter = text
            services.position = ListPosition()
        case .traces:
            traces.query = text
            traces.position = ListPosition()
        case .waterfall:
            setWaterfallSearch(text)
        case .insights:
            break
        }
        forceRefresh()
    }

    private mutating func setWaterfallSearch(_ text: String) {
        guard var w = waterfall else { return }
        w.search = text
        Self.findMatches(&w)
        if w.hideNonMatching { Self.relayout(&w, keeping: w.rows.indices.contains(w.position.cursor) ? w.rows[w.position.cursor].anchorSpan : nil) }
        Self.markMatchRows(&w)
        // Typing jumps live to the first match at or after the cursor.
        let here = Self.currentRank(w)
        if let next = w.matchSpans.first(where: { w.displayRank[$0] >= here }) ?? w.matchSpans.first {
            Self.reveal(&w, next)
        }
        waterfall = w
        clampAll()
    }

    /// Spans matching the query, in display order.
    static func findMatches(_ w: inout WaterfallViewState) {
        let query = WaterfallQuery(w.search)
        if query.isEmpty {
            w.matchSpans = []
        } else {
            let duration = w.trace.duration
            w.ensureDisplayRanks()
            w.matchSpans = w.trace.spans.indices.filter { query.matches(w.trace.spans[$0], traceDuration: duration) }
            w.matchSpans.sort { w.displayRank[$0] < w.displayRank[$1] }
        }
        w.options.keep = w.hideNonMatching && !query.isEmpty ? WaterfallLayout.keepSet(trace: w.trace, matching: w.matchSpans) : nil
    }

    static func markMatchRows(_ w: inout WaterfallViewState) {
        guard !w.matchSpans.isEmpty else { w.matches = []; return }
        let set = Set(w.matchSpans)
        w.matches = w.rows.indices.filter { i in
            switch w.rows[i].kind {
            case .span(let s): return set.contains(s)
            case .run(let members): return members.contains(where: set.contains)
            case .missingParent: return false
            }
        }
    }

    static func currentRank(_ w: WaterfallViewState) -> Int {
        // Without ranks there is no search, and nothing to step to.
        guard w.position.cursor < w.rows.count, w.displayRank.count == w.trace.spanCount else { return 0 }
        let row = w.rows[w.position.cursor]
        if let a = row.anchorSpan { return w.displayRank[a] }
        // A missing-parent line sits just before its first orphan.
        if w.position.cursor + 1 < w.rows.count, let a = w.rows[w.position.cursor + 1].anchorSpan { return w.displayRank[a] - 1 }
        return 0
    }

    private mutating func jumpToMatch(forward: Bool) {
        guard var w = waterfall, !w.matchSpans.isEmpty else {
            message = "no matches; / searches the waterfall"
            return
        }
        let here = Self.currentRank(w)
        let onRun: Bool = {
            if w.position.cursor < w.rows.count, case .run = w.rows[w.position.cursor].kind { return true }
            return false
        }()
        let target: Int
        if forward {
            // On a folded run the match may be its first member: step into it.
            target = w.matchSpans.first { w.displayRank[$0] > here || (onRun && w.displayRank[$0] == here) } ?? w.matchSpans[0]
        } else {
            target = w.matchSpans.last { w.displayRank[$0] < here } ?? w.matchSpans[w.matchSpans.count - 1]
        }
        Self.reveal(&w, target)
        w.detail = ListPosition()
        waterfall = w
        clampAll()
    }

    /// Unfolds whatever hides a span (collapsed ancestors, folded runs) and puts the
    /// cursor on it.
    static func reveal(_ w: inout WaterfallViewState, _ index: Int) {
        var ancestors: [Int] = []
        var p = w.trace.spans[index].hasParent ? w.trace.index(of: w.trace.spans[index].parentSpanID) : nil
        while let j = p, !ancestors.contains(j), ancestors.count < w.trace.spanCount {
            ancestors.append(j)
            w.options.collapsed.remove(w.trace.spans[j].spanID)
            let span = w.trace.spans[j]
            p = span.hasParent && span.parentSpanID != span.spanID ? w.trace.index(of: span.parentSpanID) : nil
        }
        relayout(&w, keeping: nil)
        for _ in 0...(ancestors.count + 1) {
            if let row = w.rows.firstIndex(where: { $0.spanIndex == index }) {
                w.position.cursor = row
                return
            }
            // Inside a folded run: open the run holding the span or one of its ancestors.
            let path = Set([index] + ancestors)
            guard let run = w.rows.first(where: { row in
                if case .run(let members) = row.kind { return row.isCollapsed && members.contains(where: path.contains) }
                return false
            }), let first = run.anchorSpan else { return }
            w.options.toggledRuns.formSymmetricDifference([w.trace.spans[first].spanID])
            relayout(&w, keeping: nil)
        }
    }

    // MARK: folding

    private mutating func fold(_ action: Action) {
        guard var w = waterfall, w.focus == .waterfall else { return }
        let cursor = w.position.cursor
        guard cursor < w.rows.count else { return }
        let row = w.rows[cursor]
        if case .run(let members) = row.kind {
            let key = w.trace.spans[members[0]].spanID
            switch action {
            case .toggleCollapse:
                w.options.toggledRuns.formSymmetricDifference([key])
            case .collapse where !row.isCollapsed, .expand where row.isCollapsed:
                w.options.toggledRuns.formSymmetricDifference([key])
            case .collapse:
                if row.parentRow >= 0 { w.position.cursor = row.parentRow }
                waterfall = w
                clampAll()
                return
            case .collapseAll, .expandAll:
                foldAll(&w, expand: action == .expandAll)
            default:
                return
            }
            Self.relayout(&w, keeping: members[0], preferRun: true)
            waterfall = w
            clampAll()
            return
        }
        let index = row.spanIndex
        let id = index.map { w.trace.spans[$0].spanID }
        switch action {
        case .toggleCollapse:
            guard let id, row.childCount > 0 else { return }
            if w.options.collapsed.contains(id) { w.options.collapsed.remove(id) } else { w.options.collapsed.insert(id) }
        case .collapse:
            if let id, row.childCount > 0, !w.options.collapsed.contains(id) {
                w.options.collapsed.insert(id)
            } else if row.parentRow >= 0 {
                w.position.cursor = row.parentRow
                waterfall = w
                clampAll()
                return
            }
        case .expand:
            guard let id else { return }
            w.options.collapsed.remove(id)
        case .collapseAll, .expandAll:
            foldAll(&w, expand: action == .expandAll)
        default:
            return
        }
        Self.relayout(&w, keeping: index)
        waterfall = w
        clampAll()
    }

    private func foldAll(_ w: inout WaterfallViewState, expand: Bool) {
        w.options.toggledRuns = []
        w.options.runsExpandedByDefault = expand
        w.options.collapsed = expand ? [] : Set(w.trace.spans.indices.filter { !w.tree.children[$0].isEmpty }.map { w.trace.spans[$0].spanID })
    }

    /// `H`: hide what does not match the query (keeping ancestors), or show all again.
    private mutating func toggleHiding() {
        guard var w = waterfall else { return }
        if !w.hideNonMatching && WaterfallQuery(w.search).isEmpty {
            message = "type a query first: / then e.g. >2.5%  >5ms  svc:db  key=value  is:error"
            return
        }
        w.hideNonMatching.toggle()
        let anchor = w.rows.indices.contains(w.position.cursor) ? w.rows[w.position.cursor].anchorSpan : nil
        Self.findMatches(&w)
        Self.relayout(&w, keeping: anchor)
        message = w.hideNonMatching ? "showing \(w.matchSpans.count) matching spans and their ancestors" : "showing all spans"
        waterfall = w
        clampAll()
    }

    /// Rebuilds rows after a fold, a filter or new spans, keeping the cursor on the
    /// same span (or run).
    static func relayout(_ w: inout WaterfallViewState, keeping index: Int?, preferRun: Bool = false) {
        w.rows = WaterfallLayout.rows(trace: w.trace, tree: w.tree, options: w.options)
        markMatchRows(&w)
        place(&w, keeping: index, preferRun: preferRun)
    }

    /// Puts the cursor on the row of this span (or run), or of its nearest visible
    /// ancestor when it is folded away.
    static func place(_ w: inout WaterfallViewState, keeping index: Int?, preferRun: Bool = false) {
        guard let index else { return }
        let isRun: (WaterfallRow) -> Bool = { if case .run = $0.kind { return true } else { return false } }
        if let row = w.rows.firstIndex(where: { $0.anchorSpan == index && isRun($0) == preferRun })
            ?? w.rows.firstIndex(where: { $0.anchorSpan == index }) {
            w.position.cursor = row
            return
        }
        // The span went into a fold: select the nearest visible ancestor, or its run.
        var p: Int? = index
        var steps = 0
        while let j = p, steps <= w.trace.spanCount {
            if let row = w.rows.firstIndex(where: { r in
                if r.spanIndex == j { return true }
                if case .run(let members) = r.kind { return members.contains(j) }
                return false
            }) {
                w.position.cursor = row
                return
            }
            let span = w.trace.spans[j]
            p = span.hasParent && span.parentSpanID != span.spanID ? w.trace.index(of: span.parentSpanID) : nil
            steps += 1
        }
    }

    // MARK: copy

    private mutating func copySelection() -> [Effect] {
        switch keyContext {
        case .traces:
            guard traces.position.cursor < traces.rows.count else { return [] }
            let id = traces.rows[traces.position.cursor].traceID.hex
            message = "copied trace id \(id) (OSC 52)"
            return [.copy(id)]
        case .waterfall:
            guard let w = waterfall else { return [] }
            message = "copied trace id \(w.traceID.hex) (OSC 52)"
            return [.copy(w.traceID.hex)]
        case .detail:
            guard let w = waterfall, let span = w.selectedSpan else { return [] }
            let lines = DetailView.lines(for: span, in: w.trace, width: layout.detailPane.width, findings: w.findings[span.spanID] ?? [], redact: redacts(span))
            guard w.detail.cursor < lines.count, let value = lines[w.detail.cursor].copyValue else {
                message = "nothing to copy on this line"
                return []
            }
            message = "copied \(DisplayWidth.truncate(value, to: 40)) (OSC 52)"
            return [.copy(value)]
        default:
            return []
        }
    }

    // MARK: refreshing derived lists

    private mutating func forceRefresh() {
        shownGeneration = -1
        refresh()
    }

    /// Recomputes what the current screen shows from the store, keeping the user's
    /// place: the selected service, trace or span stays selected as data streams in.
    public mutating func refresh() {
        guard store.generation != shownGeneration else { return }
        shownGeneration = store.generation
        needsRender = true
        findingsBehind = 0
        switch screen {
        case .services: refreshServices()
        case .traces: refreshTraces()
        case .waterfall: refreshWaterfall()
        case .insights: refreshInsightGroups()
        }
        clampAll()
    }

    /// The findings pass of the services or Insights view goes on where the last one
    /// ran out of budget (the lists themselves wait for their refresh interval).
    private mutating func continueFindings() {
        switch screen {
        case .services where !serviceSummaryCache.pending.isEmpty: refreshServices(pendingOnly: true)
        case .services: services.findings = findingCountsByService()
        case .insights: refreshInsightGroups()
        case .traces, .waterfall: findingsBehind = 0
        }
        needsRender = true
        clampAll()
    }

    private mutating func refreshInsightGroups() {
        // Let go of the groups shown, so the cache's arrays are changed in place.
        insights.groups = []
        var cache = insightGroupsCache
        insightGroupsCache = InsightGroupsCache()
        let store = self.store, config = insightConfig
        var budget = findingsBudgetSpans
        insights.groups = withFindingsPass { state in
            cache.update(with: store, config: config) { trace in
                guard budget > 0, let entry = state.findingsEntry(for: trace, budget: &budget) else { return nil }
                // Grouping is work too (a checked trace's names are read whole): grouping
                // 100k checked traces at once held the key that opened the view for 0.8 s.
                budget -= entry.complete ? trace.spanCount : entry.findings.count
                return entry
            }
        }
        insightGroupsCache = cache
        findingsBehind = uncheckedSpans(in: cache.pending)
    }

    /// `pendingOnly`: a step of a budgeted pass, which takes up only what the last one
    /// left; changes since wait for the refresh interval.
    private mutating func refreshServices(pendingOnly: Bool = false) {
        let selected = services.position.cursor < services.rows.count ? services.rows[services.position.cursor].name : nil
        var rows = serviceSummaryCache.summaries(of: store, budgetSpans: servicesBudgetSpans, pendingOnly: pendingOnly)
        // A remote backend's services show even before any of their spans are loaded.
        let loaded = Set(rows.map(\.name))
        rows += remoteServices.filter { !loaded.contains($0) }.map { ServiceSummary(name: $0) }
        for row in rows { _ = paletteSlot(for: row.name) }
        if !services.filter.isEmpty {
            let needle = services.filter.lowercased()
            rows = rows.filter { $0.name.lowercased().contains(needle) }
        }
        rows.sort(by: services.sort.comparator)
        services.findings = findingCountsByService()
        // Traces the list has not taken in yet wait, like findings, for the next tick.
        // Both passes go over the same spans: the count is of the one further behind
        // (their sum read more spans than were held).
        findingsBehind = max(findingsBehind, serviceSummaryCache.pending.reduce(0) { $0 + (store.traces.spanCount(of: $1) ?? 0) })
        services.rows = rows
        if let selected, let i = rows.firstIndex(where: { $0.name == selected }) { services.position.cursor = i }
    }

    private mutating func refreshTraces() {
        let oldCursor = traces.position.cursor
        let selected = oldCursor < traces.rows.count ? traces.rows[oldCursor].traceID : nil
        // Let go of the rows shown, so the cache's (the same array) are patched in place.
        traces.rows = []
        var query = TraceQuery(traces.query)
        query.filter.service = query.filter.service ?? traces.service
        query.filter.errorsOnly = query.filter.errorsOnly || traces.errorsOnly
        let filter = query.filter
        let changedRows = traceListCache.update(with: store, query: query)
        var rows = traceListCache.rows
        // Summary-only rows (not fetched yet) come from the backend's search of this service.
        let extra = remoteSummaries.values.filter { row in
            store.trace(row.traceID) == nil && (traces.service == nil || row.rootService == traces.service || traces.service == lastSearchForm[.service])
                && (!filter.errorsOnly || row.errorCount > 0)
                && filter.minDuration.map { row.duration >= $0 } ?? true && filter.maxDuration.map { row.duration <= $0 } ?? true
                && query.matchesText(row)
        }
        if !extra.isEmpty {
            rows += extra
            rows.sort { TraceListCache.newestFirst($0, $1) }
        }
        traces.rows = rows
        // Colours by first appearance; rows seen before already have theirs.
        for row in changedRows { _ = paletteSlot(for: row.rootService) }
        for row in extra { _ = paletteSlot(for: row.rootService) }
        guard let selected, let i = traces.rows.firstIndex(where: { $0.traceID == selected }) else { return }
        // Keep the selected trace selected, and on the same screen line unless the
        // list was scrolled to the very top (then new traces appear above it).
        let delta = i - oldCursor
        traces.position.cursor = i
        if traces.position.scroll > 0 { traces.position.scroll += delta }
    }

    /// The open trace changed: a small one is rebuilt here; a big one is handed out
    /// as a `rebuildWaterfall` effect (one at a time), and the screen shows the version
    /// it has until the result comes back.
    private mutating func refreshWaterfall() {
        guard var w = waterfall, let trace = store.trace(w.traceID) else { return }
        guard w.isBehind(trace) || !w.findingsComplete else { return }
        if trace.spanCount < backgroundRebuildSpans {
            let anchor = w.anchorSpanID
            w = w.rebuilt(with: trace, findings: findings(for: trace))
            Self.place(&w, keeping: anchor.flatMap(trace.index(of:)))
            waterfall = w
            return
        }
        // The answer to the one in flight looks at the store again when it lands.
        guard rebuildInFlight == nil else { return }
        guard lastTickMillis >= nextRebuildMillis else {
            shownGeneration = -1
            return
        }
        rebuildSerial += 1
        rebuildInFlight = rebuildSerial
        let checks = WaterfallRebuild.FindingsWork(state: findingsState(of: trace), config: insightConfig, memo: insightMemo)
        refreshEffects.append(.rebuildWaterfall(WaterfallRebuild(serial: rebuildSerial, base: w, trace: trace, checks: checks)))
    }

    private mutating func adoptRebuild(_ result: WaterfallRebuild.Result, tookMillis: Int64) {
        guard rebuildInFlight == result.serial else { return }
        rebuildInFlight = nil
        nextRebuildMillis = lastTickMillis + max(0, tookMillis)
        keepFindings(result.findings, of: result.base.traceID, generation: result.generation)
        guard var w = waterfall, w.traceID == result.base.traceID else { return }
        w.adopt(result)
        waterfall = w
        needsRender = true
        clampAll()
        // Spans that came in while it ran: the next tick's refresh asks again.
        if let now = store.trace(w.traceID), w.isBehind(now) {
            shownGeneration = -1
        }
    }

    /// Keeps every cursor inside its list and on screen.
    mutating func clampAll() {
        let l = layout
        services.position.clamp(count: services.rows.count, visible: l.listRows)
        traces.position.clamp(count: traces.rows.count, visible: l.listRows)
        if var w = waterfall {
            w.position.clamp(count: w.rows.count, visible: l.waterfallRows)
            if let span = w.selectedSpan {
                let n = DetailView.lines(for: span, in: w.trace, width: l.detailPane.width, findings: w.findings[span.spanID] ?? [], redact: redacts(span)).count
                w.detail.clamp(count: n, visible: l.detailRows)
            } else {
                w.detail = ListPosition()
            }
            waterfall = w
        }
        insights.position.clamp(count: insights.groups.count, visible: l.listRows)
        insights.examples.clamp(count: insights.openGroup?.findings.count ?? 0, visible: l.listRows)
        help.clamp(count: HelpOverlay.lines.count, visible: max(1, l.content.height - 2))
    }
}

extension ServiceSort {
    var comparator: (ServiceSummary, ServiceSummary) -> Bool {
        switch self {
        case .name: return { $0.name < $1.name }
        case .spans: return { ($0.spanCount, $1.name) > ($1.spanCount, $0.name) }
        case .traces: return { ($0.traceCount, $1.name) > ($1.traceCount, $0.name) }
        case .errorRate: return { ($0.errorRate, $1.name) > ($1.errorRate, $0.name) }
        case .p50: return { ($0.p50, $1.name) > ($1.p50, $0.name) }
        case .p95: return { ($0.p95, $1.name) > ($1.p95, $0.name) }
        case .lastSeen: return { ($0.lastSeen, $1.name) > ($1.lastSeen, $0.name) }
        }
    }
}
