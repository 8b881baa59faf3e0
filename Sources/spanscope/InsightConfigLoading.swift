import ArgumentParser
import Foundation
import TraceInsights

/// `--config`, shared by the explorer and `check` (one option group, so a subcommand's
/// `--config` is not taken by the root command's).
struct InsightConfigOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A rules config file (disable, only, severity.RULE, generic-names, secret-keys; see README). The explorer's findings and masking follow it too.", valueName: "path"))
    var config: String?
}

extension InsightConfig {
    /// The `--config` file of `check` and the explorer; none gives the defaults.
    static func load(path: String?) throws -> InsightConfig {
        guard let path else { return InsightConfig() }
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read config \(path)") }
        do {
            return try InsightConfig.parse(String(decoding: data, as: UTF8.self), source: path)
        } catch let error as InsightConfigError {
            throw CLIError("bad config: \(error)")
        }
    }
}
