// SMPL model files: a synthetic SMPL-layout body written as a Python 2 pickle (chumpy values,
// scipy csc J_regressor) and as an .npz loads back to the same body (same posed mesh); a missing
// key or a wrong shape fails naming the key; a file that is neither fails naming the path.
import BodyKit
import Foundation
import PoseKit
import Testing
import TestSupport

@Suite struct SMPLFileTests {
    static let body = SyntheticSMPL.make()

    func write(_ bytes: [UInt8], _ name: String, in dir: TemporaryDirectory) throws -> String {
        let path = dir.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: ["SMPL_NEUTRAL.pkl", "SMPL_NEUTRAL.npz"])
    func aSMPLLayoutFileLoadsTheSameBody(name: String) throws {
        let dir = TemporaryDirectory()
        let arrays = SMPLArrays(Self.body)
        let path = try write(name.hasSuffix(".npz") ? arrays.npz() : arrays.pickle(), name, in: dir)
        let model = try SMPLFile.load(path: path)
        #expect(model.kind == .smpl(path: path))
        #expect(model.vertexCount == Self.body.vertexCount && model.faces == Self.body.faces)
        #expect(model.template == Self.body.template && model.shapeDirections == Self.body.shapeDirections)
        #expect(model.poseDirections == Self.body.poseDirections)
        #expect(model.jointRegressor == Self.body.jointRegressor)
        #expect(model.skinning == Self.body.skinning.map { $0.sorted { $0.index < $1.index } })
        // The same posed mesh and joints for a pose and shape away from rest.
        var rng = SplitMix64(seed: 11)
        let theta = (0..<72).map { _ in Double.random(in: -0.4...0.4, using: &rng) }
        let beta = (0..<10).map { _ in Double.random(in: -1...1, using: &rng) }
        let a = model.posed(pose: theta, shape: beta), b = Self.body.posed(pose: theta, shape: beta)
        let vertexGap = zip(a.vertices, b.vertices).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
        let jointGap = zip(a.joints, b.joints).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
        #expect(vertexGap < 1e-12 && jointGap < 1e-12, "vertices \(vertexGap), joints \(jointGap)")
        // Not SMPL's 6890-vertex topology: the face and foot keypoints fall back to joints.
        #expect(model.keypoints[0] == [KeypointTerm(.joint(SMPLSkeleton.J.head))])
        #expect(model.keypoints[1] == [KeypointTerm(.joint(SMPLSkeleton.J.leftShoulder), 0.5), KeypointTerm(.joint(SMPLSkeleton.J.rightShoulder), 0.5)])
    }

    @Test(arguments: ["v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table"])
    func aMissingKeyIsNamed(key: String) throws {
        let dir = TemporaryDirectory()
        let arrays = SMPLArrays(Self.body, dropping: key)
        for (name, bytes) in [("a.pkl", arrays.pickle()), ("a.npz", arrays.npz())] {
            let path = try write(bytes, name, in: dir)
            #expect {
                try SMPLFile.load(path: path)
            } throws: { error in
                guard case let .invalid(source, field, why)? = error as? BodyModelError else { return false }
                return source == path && field == key && why.contains("missing")
            }
        }
    }

    @Test func aWrongShapeIsNamed() throws {
        let dir = TemporaryDirectory()
        let v = Self.body.vertexCount
        let cases: [(String, [Int], Int)] = [("weights", [v, 23], v * 23), ("posedirs", [v, 3, 10], v * 30),
                                             ("J_regressor", [23, v], 23 * v), ("v_template", [v, 2], v * 2)]
        for (key, shape, count) in cases {
            let arrays = SMPLArrays(Self.body, reshaping: (key, shape, [Double](repeating: 0.01, count: count)))
            for (name, bytes) in [("b.pkl", arrays.pickle()), ("b.npz", arrays.npz())] {
                let path = try write(bytes, name, in: dir)
                #expect {
                    try SMPLFile.load(path: path)
                } throws: { error in
                    guard case let .invalid(_, field, _)? = error as? BodyModelError else { return false }
                    return field == key && "\(error)".contains(path) && "\(error)".contains("shape")
                }
            }
        }
        // Another joint tree.
        let tree = [4_294_967_295.0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 20] + (0..<24).map(Double.init)
        let path = try write(SMPLArrays(Self.body, reshaping: ("kintree_table", [2, 24], tree)).pickle(), "tree.pkl", in: dir)
        #expect(throws: BodyModelError.self) { try SMPLFile.load(path: path) }
    }

    @Test func neitherPickleNorNpzIsRefusedNamingTheFile() throws {
        let dir = TemporaryDirectory()
        let path = try write(Array("not a model".utf8), "model.pkl", in: dir)
        #expect {
            try SMPLFile.load(path: path)
        } throws: { error in
            guard case .unreadable? = error as? BodyModelError else { return false }
            return "\(error)".contains(path)
        }
        let truncated = try write(Array(SMPLArrays(Self.body).pickle().prefix(5000)), "cut.pkl", in: dir)
        #expect {
            try SMPLFile.load(path: truncated)
        } throws: { error in "\(error)".contains(truncated) }
        // BodyLibrary: a missing file named, with the built-in body offered.
        #expect(throws: BodyLoadError.smplFileMissing(path: dir.file("none.pkl"), recorded: false)) {
            try BodyLibrary.load(.smpl(path: dir.file("none.pkl")), requested: true)
        }
    }
}
