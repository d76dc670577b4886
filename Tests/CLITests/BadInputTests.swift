import Foundation
import GRDB
import Testing

/// Every kind of bad input: exit status 1, a message naming the file (and field), no crash, and
/// the input left byte for byte as it was.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        /// Makes the input inside the directory; returns the file whose bytes must not change.
        let setup: @Sendable (TemporaryDirectory) throws -> String
        /// The command line, given the directory.
        let command: @Sendable (TemporaryDirectory) -> [String]
        /// Text the message must contain (besides the file's path).
        let says: String
        var testDescription: String { name }
    }

    static func write(_ text: String, _ path: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }

    static func posesDir(_ dir: TemporaryDirectory, _ json: String) throws -> String {
        let poses = dir.file("poses")
        try FileManager.default.createDirectory(atPath: poses, withIntermediateDirectories: true)
        try write(json, (poses as NSString).appendingPathComponent("cam_000000000000_keypoints.json"))
        return (poses as NSString).appendingPathComponent("cam_000000000000_keypoints.json")
    }

    static func newWith(_ dir: TemporaryDirectory) -> [String] {
        ["new", dir.file("p.bdmm"), "--image", CLI.demoImage, "--poses", dir.file("poses")]
    }

    static let cases: [Case] = [
        Case(name: "info on a text file", setup: { dir in
            try write("just some notes\n", dir.file("p.bdmm")); return dir.file("p.bdmm")
        }, command: { ["info", $0.file("p.bdmm")] }, says: "not a posestudio project"),
        Case(name: "undo on another application's SQLite", setup: { dir in
            let queue = try DatabaseQueue(path: dir.file("p.bdmm"))
            try queue.write { try $0.execute(sql: "PRAGMA application_id = 42; CREATE TABLE t (x); INSERT INTO t VALUES (1)") }
            try queue.close()
            return dir.file("p.bdmm")
        }, command: { ["undo", $0.file("p.bdmm")] }, says: "another application"),
        Case(name: "edit on a truncated project", setup: { dir in
            let path = try CLI.newDemo(in: dir.path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: path))
            return path
        }, command: { ["edit", $0.file("demo.bdmm"), "--frame", "1", "--joint", "Nose", "--by", "1,1"] }, says: "truncated"),
        Case(name: "info on a project of a newer schema", setup: { dir in
            let path = try CLI.newDemo(in: dir.path)
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = 99") }
            try queue.close()
            return path
        }, command: { ["info", $0.file("demo.bdmm")] }, says: "newer posestudio"),
        Case(name: "OpenPose JSON with a wrong length", setup: { dir in
            try posesDir(dir, "{\"people\":[{\"pose_keypoints_2d\":[1,2,0.5,4]}]}")
        }, command: newWith, says: "people[0].pose_keypoints_2d: has 4 numbers"),
        Case(name: "OpenPose JSON with NaN", setup: { dir in
            try posesDir(dir, "{\"people\":[{\"pose_keypoints_2d\":[NaN,2,0.5]}]}")
        }, command: newWith, says: "not valid JSON"),
        Case(name: "OpenPose JSON with strings for numbers", setup: { dir in
            try posesDir(dir, "{\"people\":[{\"pose_keypoints_2d\":[\"1\",2,0.5]}]}")
        }, command: newWith, says: "people[0].pose_keypoints_2d[0]: expected a number, found a string"),
        Case(name: "no pose files at all", setup: { dir in
            try FileManager.default.createDirectory(atPath: dir.file("poses"), withIntermediateDirectories: true)
            try write("x", dir.file("poses/readme.txt"))
            return dir.file("poses/readme.txt")
        }, command: newWith, says: "has no OpenPose"),
        Case(name: "a missing image", setup: { dir in
            try posesDir(dir, "{\"people\":[]}")
        }, command: { ["new", $0.file("p.bdmm"), "--image", $0.file("nope.png"), "--poses", $0.file("poses")] }, says: "nope.png: no such file"),
        Case(name: "an image that is not PNG or JPEG", setup: { dir in
            _ = try posesDir(dir, "{\"people\":[]}")
            try write("GIF89a....", dir.file("img.gif"))
            return dir.file("img.gif")
        }, command: { ["new", $0.file("p.bdmm"), "--image", $0.file("img.gif"), "--poses", $0.file("poses")] }, says: "not a PNG or JPEG"),
        Case(name: "a truncated PNG (whole header, half the pixels)", setup: { dir in
            _ = try posesDir(dir, "{\"people\":[]}")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.demoImage))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir.file("half.png")))
            return dir.file("half.png")
        }, command: { ["new", $0.file("p.bdmm"), "--image", $0.file("half.png"), "--poses", $0.file("poses")] }, says: "PNG"),
        Case(name: "a source frame past the end", setup: { dir in
            try posesDir(dir, "{\"people\":[]}")
        }, command: { newWith($0) + ["--source-frame", "5"] }, says: "--source-frame 5"),
        Case(name: "an unknown joint", setup: { dir in try CLI.newDemo(in: dir.path) },
             command: { ["edit", $0.file("demo.bdmm"), "--frame", "1", "--joint", "Tail", "--by", "1,1"] }, says: "--joint"),
        Case(name: "a frame out of range", setup: { dir in try CLI.newDemo(in: dir.path) },
             command: { ["edit", $0.file("demo.bdmm"), "--frame", "100", "--joint", "Nose", "--to", "1,1"] }, says: "frame 100 is out of range"),
        Case(name: "a NaN coordinate", setup: { dir in try CLI.newDemo(in: dir.path) },
             command: { ["edit", $0.file("demo.bdmm"), "--frame", "1", "--joint", "Nose", "--to", "nan,1"] }, says: "--to"),
    ]

    @Test(arguments: cases)
    func exitsOneWithAMessageAndTouchesNothing(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let input = try c.setup(dir)
        let before = FileManager.default.contents(atPath: input)
        let listing = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let result = try CLI.run(c.command(dir))
        #expect(result.status == 1, "\(c.name): exit \(result.status), stderr: \(result.err)")
        #expect(result.err.contains(c.says), "\(c.name): \(result.err)")
        #expect(!result.err.contains("Fatal error") && !result.err.contains("Stack dump"))
        #expect(FileManager.default.contents(atPath: input) == before, "\(c.name): the input changed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == listing, "\(c.name): files appeared or vanished")
    }

    @Test func messagesNameTheFile() throws {
        let dir = TemporaryDirectory()
        let poses = try Self.posesDir(dir, "{\"people\":[{\"pose_keypoints_2d\":[1,2]}]}")
        let result = try CLI.run(Self.newWith(dir))
        #expect(result.err.contains(poses))
    }

    @Test func usageErrorsExitOne() throws {
        #expect(try CLI.run(["new"]).status == 1)
        #expect(try CLI.run(["frobnicate"]).status == 1)
        let help = try CLI.run(["--help"])
        #expect(help.status == 0 && help.out.contains("USAGE"))
    }
}

/// A project column holding another storage class than the schema means (as a file edited by
/// another program can): every command that opens the project says which column, exits 1, and
/// leaves the file as it was (the whole table of columns × classes is `WrongTypeTests`).
@Suite struct WrongTypeCLITests {
    @Test func everyCommandNamesTheColumn() throws {
        let dir = TemporaryDirectory()
        let template = try CLI.newDemo(in: dir.path)
        #expect(try CLI.run(["edit", template, "--frame", "3", "--joint", "Nose", "--by", "1,1"]).status == 0)
        #expect(try CLI.run(["config", template, "render.size", "256x128"]).status == 0)
        for (table, column, literal) in [("project", "fps", "'abc'"), ("settings", "value", "x'00ff'"), ("journal", "label", "x'0102'")] {
            let path = dir.file("\(table).bdmm")
            try FileManager.default.copyItem(atPath: template, toPath: path)
            var config = Configuration()
            config.foreignKeysEnabled = false
            let queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: "UPDATE \(table) SET \(column) = \(literal)")
            }
            try queue.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            for command in [["info", path], ["debug", "screen", path], ["undo", path], ["redo", path], ["export", path, "--poses", dir.file("out.json"), "--format", "json"],
                            ["fit", path, "--frames", "0:2"], ["render", path, "--out", dir.file("r"), "--draft", "--frames", "0:1"]] {
                let r = try CLI.run(command)
                #expect(r.status == 1 && r.err.contains("the project file is damaged: \(table).\(column) holds"), "\(command): \(r.err)")
                #expect(!r.err.contains("Fatal error") && !r.err.contains("Stack dump"))
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "\(table).\(column): the file changed")
            #expect(!FileManager.default.fileExists(atPath: dir.file("out.json")) && !FileManager.default.fileExists(atPath: dir.file("r")))
        }
    }
}
