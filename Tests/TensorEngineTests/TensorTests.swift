import Testing
@testable import TensorEngine

@Suite struct TensorTests {
    @Test func shapeAndReshape() {
        let t = Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6])
        #expect(t.count == 6)
        #expect(t.dim(-1) == 3)
        #expect(t.reshaped([3, 2]).shape == [3, 2])
        #expect(Tensor(zeros: [1, 2, 2]).storage == [0, 0, 0, 0])
    }
}
