import ExplorerUI
import Foundation

/// Finds a theme by name (in themes/ beside the binary's package, `SPANSCOPE_THEMES`,
/// or the working directory) or by path. `default` is built in.
enum ThemeLoader {
    static func load(_ nameOrPath: String) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            return try read(nameOrPath)
        }
        for dir in searchDirectories() {
            let path = dir + "/" + nameOrPath + ".theme"
            if FileManager.default.fileExists(atPath: path) { return try read(path) }
        }
        if nameOrPath == "default" { return Theme.builtInDefault }
        throw CLIError("no theme named '\(nameOrPath)' (looked in \(searchDirectories().joined(separator: ", ")))")
    }

    static func available() -> [String] {
        var names = Set(["default"])
        for dir in searchDirectories() {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where file.hasSuffix(".theme") {
                names.insert(String(file.dropLast(6)))
            }
        }
        return names.sorted()
    }

    private static func read(_ path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read theme file \(path)")
        }
        do {
            return try Theme.parse(String(decoding: data, as: UTF8.self), source: path)
        } catch let error as ThemeError {
            throw CLIError("bad theme: \(error)")
        }
    }

    private static func searchDirectories() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["SPANSCOPE_THEMES"] { dirs.append(env) }
        // Walk up from the binary: `swift run` puts it a few levels below the package.
        var dir = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<5 {
            dirs.append(dir.appendingPathComponent("themes").path)
            dirs.append(dir.appendingPathComponent("share/spanscope/themes").path)
            dir.deleteLastPathComponent()
        }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        var seen = Set<String>()
        return dirs.filter { FileManager.default.fileExists(atPath: $0) && seen.insert($0).inserted }
    }
}
