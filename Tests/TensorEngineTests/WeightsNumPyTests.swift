// NumPy: .npy fixtures of every supported dtype, byte order, Fortran order and header version
// against the formulas make_fixtures.py used; .npz stored and deflated; ndarrays inside pickles
// (a Python-2-style SMPL-like file with chumpy and scipy objects, Python 3 protocols 2 and 5).
import Foundation
import Testing
@testable import TensorEngine

/// make_fixtures.py's pattern(n): (i·37 mod 101)/8 − 6.
func fixturePattern(_ count: Int) -> [Double] { (0..<count).map { Double(($0 * 37) % 101) / 8 - 6 } }
/// make_fixtures.py's int_pattern(n): (i·7919 mod 2001) − 1000.
func fixtureIntPattern(_ count: Int) -> [Int] { (0..<count).map { ($0 * 7919) % 2001 - 1000 } }

@Suite struct WeightsNumPyTests {
    func npy(_ name: String) throws -> NumPyArray { try NumPy.read(contentsOf: WeightFixtures.weight(name)) }

    @Test func floatArrays() throws {
        let f4 = try npy("f4_c.npy")
        #expect(f4.shape == [3, 4] && f4.type == .float32)
        #expect(try f4.floats() == fixturePattern(12).map { Float($0) })
        let f8 = try npy("f8_fortran.npy")
        #expect(f8.shape == [2, 3, 4] && f8.type == .float64)
        #expect(f8.doubles() == fixturePattern(24))                       // Fortran buffer, C-order values
        let f2 = try npy("f2.npy")
        #expect(try f2.type == .float16 && f2.floats() == fixturePattern(5).map { Float($0) })
        let scalar = try npy("scalar.npy")
        #expect(scalar.shape == [] && scalar.doubles() == [-1.25])
        #expect(try scalar.tensor().shape == [])
    }

    @Test func integerAndBoolArrays() throws {
        #expect(try npy("i8.npy").integers() == fixtureIntPattern(7))
        let big = try npy("i4_big.npy")
        #expect(big.shape == [2, 3] && big.type == .int32)
        #expect(try big.integers() == fixtureIntPattern(6))
        #expect(try npy("u4.npy").integers() == fixtureIntPattern(4).map { $0 + 1000 })
        #expect(try npy("u1.npy").integers() == Array(0..<10))
        #expect(try npy("b1.npy").integers() == [1, 0, 0, 1])
        #expect(try npy("u1.npy").floats() == (0..<10).map(Float.init))
        #expect(throws: WeightError.self) { try npy("f4_c.npy").integers() }
    }

    @Test(arguments: ["v2.npy", "v3.npy"])
    func laterHeaderVersions(name: String) throws {
        let array = try npy(name)
        #expect(array.shape == (name == "v2.npy" ? [2, 3] : [3, 2]))
        #expect(try array.floats() == fixturePattern(6).map { Float($0) })
    }

    @Test(arguments: ["arrays.npz", "arrays_compressed.npz"])
    func archives(name: String) throws {
        let arrays = try NumPy.readArchive(contentsOf: WeightFixtures.weight(name))
        #expect(try arrays["weights"]?.floats() == fixturePattern(12).map { Float($0) })
        #expect(arrays["weights"]?.shape == [3, 4])
        #expect(try arrays["faces"]?.integers() == fixtureIntPattern(9))
        #expect(try arrays["mask"]?.integers() == [1, 0])
        if name == "arrays_compressed.npz" {
            #expect(arrays["big"]?.doubles() == fixturePattern(5000))     // long enough for dynamic Huffman blocks
        }
        let tensors = try WeightFile.read(contentsOf: WeightFixtures.weight(name))
        #expect(tensors["weights"]?.shape == [3, 4])
    }

    @Test func inflateHandlesStoredFixedAndDynamicBlocks() throws {
        // zlib.compress(b"abcabcabcabc hello hello", 9)[2:-4] (raw deflate, fixed Huffman block)
        let fixed = bytesFromHex("4b4c4a4e8421858cd49c9c7c080900")
        let out = try fixed.withUnsafeBytes { try Inflate.decompress($0, expectedSize: 24) }
        #expect(String(decoding: out, as: UTF8.self) == "abcabcabcabc hello hello")
        // A stored block: BFINAL=1 BTYPE=00, LEN=3, NLEN=~3, "xyz"
        let stored: [UInt8] = [0x01, 0x03, 0x00, 0xFC, 0xFF, 0x78, 0x79, 0x7A]
        #expect(try stored.withUnsafeBytes { try Inflate.decompress($0, expectedSize: 3) } == Array("xyz".utf8))
        #expect(throws: WeightError.self) { try stored.withUnsafeBytes { try Inflate.decompress($0, expectedSize: 2) } }
        #expect(throws: WeightError.self) { try fixed.withUnsafeBytes { try Inflate.decompress($0, expectedSize: 30) } }
    }

    @Test func smplLikePythonTwoPickle() throws {
        let bytes = try [UInt8](Data(contentsOf: WeightFixtures.weight("smpl_like_py2.pkl")))
        let root = try Pickle.load(bytes)
        let keys = Set(try #require(root.entries).compactMap(\.key.stringValue))
        #expect(keys == ["v_template", "shapedirs", "f", "kintree_table", "J_regressor", "bs_style", "weights"])
        guard case .byteString = root["bs_style"] else { Issue.record("Python 2 str expected"); return }
        #expect(root["bs_style"]?.stringValue == "lbs")

        let template = try NumPy.array(fromPickle: try #require(root["v_template"]))
        #expect(template.shape == [4, 3] && template.doubles() == fixturePattern(12))

        let shapedirs = try #require(root["shapedirs"]?.object)
        #expect(shapedirs.className == "chumpy.ch.Ch")
        let x = try NumPy.array(fromPickle: try #require(shapedirs.state?["x"]))
        #expect(x.shape == [4, 3, 2] && x.doubles() == fixturePattern(24))   // stored in Fortran order

        let faces = try NumPy.array(fromPickle: try #require(root["f"]))
        #expect(try faces.type == .uint32 && faces.integers() == fixtureIntPattern(6).map { $0 + 1000 })
        let tree = try NumPy.array(fromPickle: try #require(root["kintree_table"]))
        #expect(try tree.integers() == [4_294_967_295, 0, 1, 0, 1, 2])

        let regressor = try #require(root["J_regressor"]?.object)
        #expect(regressor.className == "scipy.sparse.csc.csc_matrix")
        let state = try #require(regressor.state)
        #expect(state["_shape"].flatMap(\.elements)?.compactMap(\.intValue) == [2, 4])
        #expect(try NumPy.array(fromPickle: try #require(state["data"])).doubles() == [0.5, 1.0, 0.5])
        #expect(try NumPy.array(fromPickle: try #require(state["indices"])).integers() == [0, 1, 0])
        #expect(try NumPy.array(fromPickle: try #require(state["indptr"])).integers() == [0, 1, 2, 3, 3])

        let weights = try NumPy.array(fromPickle: try #require(root["weights"]))
        #expect(try weights.type == .float32 && weights.floats() == fixturePattern(8).map { Float($0) })
        #expect(try NumPy.isArray(#require(root["weights"])) && !NumPy.isArray(#require(root["shapedirs"])))
    }

    @Test(arguments: ["arrays_protocol2.pkl", "arrays_protocol5.pkl"])
    func pythonThreePickles(name: String) throws {
        let root = try Pickle.load(try [UInt8](Data(contentsOf: WeightFixtures.weight(name))))
        let a = try NumPy.array(fromPickle: try #require(root["a"]))
        #expect(a.shape == [2, 3] && a.doubles() == fixturePattern(6))
        let b = try NumPy.array(fromPickle: try #require(root["b"]))
        #expect(try b.shape == [3, 2] && b.type == .int16 && b.integers() == fixtureIntPattern(6))
        let c = try NumPy.array(fromPickle: try #require(root["c"]))
        #expect(try c.type == .float32 && c.floats() == fixturePattern(4).map { Float($0) })    // big-endian '>f4'
        let s = try NumPy.array(fromPickle: try #require(root["s"]))
        #expect(try s.shape == [] && s.floats() == [0.75])
    }

    @Test func fortranOrderMatchesIndexArithmetic() {
        var rng = WeightsRandom(seed: 21)
        for _ in 0..<100 {
            let shape = (0..<(2 + rng.next(3))).map { _ in 1 + rng.next(4) }
            let count = shape.reduce(1, *)
            let values = (0..<count).map { Double($0) }                 // C-order meaning: value = row-major index
            // Slow reference: Fortran position of each C index, from the multi-index.
            var fortran = [Double](repeating: 0, count: count)
            for flat in 0..<count {
                var rest = flat, position = 0, scale = 1
                var index = [Int](repeating: 0, count: shape.count)
                for axis in shape.indices.reversed() { index[axis] = rest % shape[axis]; rest /= shape[axis] }
                for axis in shape.indices { position += index[axis] * scale; scale *= shape[axis] }
                fortran[position] = values[flat]
            }
            let bytes = fortran.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            let array = bytes.withUnsafeBytes { NumPyArray(shape: shape, type: .float64, bytes: $0, bigEndian: false, fortranOrder: true) }
            #expect(array.doubles() == values, "shape \(shape)")
        }
    }

    @Test func notAnArray() {
        #expect(throws: WeightError.self) { try NumPy.array(fromPickle: .int(3)) }
        #expect(throws: WeightError.self) { try NumPy.array(fromPickle: .object(PickleObject(
            callable: .global(module: "numpy.core.multiarray", name: "_reconstruct"), arguments: [], keywordArguments: nil,
            construction: .reduce, state: .tuple([.int(1), .tuple([.int(2)])]), dictItems: [], listItems: []))) }
    }
}
