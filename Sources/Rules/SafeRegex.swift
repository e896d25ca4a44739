/// A regular expression from the safe subset, matched in linear time.
///
/// Supported: literals, `.`, classes `[a-z0-9-]` and `[^…]`, escapes `\.` `\-` `\\`
/// (any escaped punctuation) and `\d` `\w` `\s`, anchors `^` `$`, `?` `*` `+`,
/// `{m}` `{m,}` `{m,n}` with bounds up to 32, alternation `|`, groups `(…)` and
/// `(?:…)`. Everything else (backreferences, lookaround, lazy or possessive
/// quantifiers, named groups, flags) is refused when the rule is loaded.
///
/// Matching is a search (the pattern may match anywhere unless anchored), byte-wise
/// on UTF-8, by Thompson NFA simulation: time is O(input length × program size)
/// whatever the pattern, so `(a*)*b` on a long input costs no more than `a*b`.
public struct SafeRegex: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let caseInsensitive: Bool
    let program: [Instruction]
    /// When the program starts `^` then a straight run of bytes (`^turn[0-9]…`), the
    /// sets the first bytes of every match fall in: a match can start only at position
    /// 0 and must read them in turn, so a text failing them is refused without running
    /// the simulation (nearly every text, for the anchored patterns rules use).
    let requiredStart: [ByteSet]

    static let maxPatternLength = 1024
    static let maxRepeat = 32
    static let maxProgram = 20_000

    /// Why a pattern was refused, and where (1-based position in the pattern).
    public struct SyntaxError: Error, Sendable, Hashable {
        public var position: Int
        public var message: String
    }

    public init(_ pattern: String, caseInsensitive: Bool = false) throws(SyntaxError) {
        guard pattern.utf8.count <= Self.maxPatternLength else {
            throw SyntaxError(position: Self.maxPatternLength, message: "pattern longer than \(Self.maxPatternLength) bytes")
        }
        var parser = Parser(bytes: Array(pattern.utf8), caseInsensitive: caseInsensitive)
        let tree = try parser.parseAll()
        var compiler = Compiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        self.program = compiler.program
        var start = [ByteSet]()
        if case .lineStart? = compiler.program.first {
            for instruction in compiler.program.dropFirst() {
                guard case .byte(let set) = instruction else { break }
                start.append(set)
            }
        }
        requiredStart = start
    }

    public var description: String { pattern }

    /// Whether the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        if !requiredStart.isEmpty {
            var position = 0
            for byte in text.utf8 {
                guard position < requiredStart.count else { break }
                guard requiredStart[position].contains(byte) else { return false }
                position += 1
            }
            guard position == requiredStart.count else { return false }
        }
        var simulation = Simulation(program: program)
        return simulation.run(Array(text.utf8))
    }

    /// `matches` and the number of instruction visits it took: at most one visit per
    /// instruction per input position (the work bound the tests check, without a clock).
    func matchesCountingSteps(_ text: String) -> (matched: Bool, steps: Int) {
        var simulation = Simulation(program: program)
        let matched = simulation.run(Array(text.utf8))
        return (matched, simulation.steps)
    }

    // MARK: Program

    struct ByteSet: Hashable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        static func == (l: ByteSet, r: ByteSet) -> Bool { l.words == r.words }
        func hash(into h: inout Hasher) { h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3) }

        mutating func insert(_ b: UInt8) {
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: words.0 |= bit
            case 1: words.1 |= bit
            case 2: words.2 |= bit
            default: words.3 |= bit
            }
        }

        func contains(_ b: UInt8) -> Bool {
            let bit = UInt64(1) << UInt64(b & 63)
            switch b >> 6 {
            case 0: return words.0 & bit != 0
            case 1: return words.1 & bit != 0
            case 2: return words.2 & bit != 0
            default: return words.3 & bit != 0
            }
        }

        mutating func insert(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

        func inverted() -> ByteSet { ByteSet(words: (~words.0, ~words.1, ~words.2, ~words.3)) }

        /// Adds the other case of every ASCII letter.
        func caseFolded() -> ByteSet {
            var out = self
            for b in UInt8(ascii: "a")...UInt8(ascii: "z") where contains(b) || contains(b - 32) {
                out.insert(b)
                out.insert(b - 32)
            }
            return out
        }
    }

    enum Instruction: Hashable, Sendable {
        case byte(ByteSet)
        case split(Int, Int)
        case jump(Int)
        case lineStart
        case lineEnd
        case match
    }

    indirect enum Tree {
        case empty
        case set(ByteSet)
        case lineStart, lineEnd
        case concat([Tree])
        case alternation([Tree])
        case repeated(Tree, min: Int, max: Int?)
    }

    // MARK: Parsing

    struct Parser {
        let bytes: [UInt8]
        let caseInsensitive: Bool
        var index = 0
        var depth = 0

        init(bytes: [UInt8], caseInsensitive: Bool) {
            self.bytes = bytes
            self.caseInsensitive = caseInsensitive
        }

        func fail(_ message: String, at position: Int? = nil) -> SyntaxError {
            SyntaxError(position: (position ?? index) + 1, message: message)
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func parseAll() throws(SyntaxError) -> Tree {
            let tree = try parseAlternation()
            if index < bytes.count { throw fail("unbalanced ')'") }
            return tree
        }

        mutating func parseAlternation() throws(SyntaxError) -> Tree {
            var branches = [try parseConcat()]
            while peek == UInt8(ascii: "|") {
                index += 1
                branches.append(try parseConcat())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseConcat() throws(SyntaxError) -> Tree {
            var items = [Tree]()
            while let c = peek, c != UInt8(ascii: "|"), c != UInt8(ascii: ")") {
                var atom = try parseAtom()
                atom = try parseQuantifiers(atom)
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .concat(items)
        }

        mutating func parseQuantifiers(_ atom: Tree) throws(SyntaxError) -> Tree {
            var atom = atom
            var quantified = false
            while let c = peek {
                let start = index
                var minimum = 0, maximum: Int? = nil
                switch c {
                case UInt8(ascii: "?"): maximum = 1; index += 1
                case UInt8(ascii: "*"): index += 1
                case UInt8(ascii: "+"): minimum = 1; index += 1
                case UInt8(ascii: "{"):
                    (minimum, maximum) = try parseBounds()
                default:
                    return atom
                }
                if quantified {
                    let what = c == UInt8(ascii: "?") || c == UInt8(ascii: "+") ? "lazy or possessive quantifiers are" : "a quantifier after a quantifier is"
                    throw fail("\(what) not supported", at: start)
                }
                if case .lineStart = atom { throw fail("nothing to repeat", at: start) }
                if case .lineEnd = atom { throw fail("nothing to repeat", at: start) }
                atom = .repeated(atom, min: minimum, max: maximum)
                quantified = true
            }
            return atom
        }

        mutating func parseBounds() throws(SyntaxError) -> (Int, Int?) {
            let start = index
            index += 1
            func number(_ p: inout Parser) -> Int? {
                var value: Int? = nil
                while let c = p.peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                    value = min((value ?? 0) * 10 + Int(c - UInt8(ascii: "0")), 10_000)
                    p.index += 1
                }
                return value
            }
            guard let minimum = number(&self) else { throw fail("'{' must be followed by a number, as in {2,5}", at: start) }
            var maximum: Int? = minimum
            if peek == UInt8(ascii: ",") {
                index += 1
                maximum = number(&self)
            }
            guard peek == UInt8(ascii: "}") else { throw fail("unterminated '{m,n}'", at: start) }
            index += 1
            if minimum > SafeRegex.maxRepeat || (maximum ?? 0) > SafeRegex.maxRepeat {
                throw fail("repetition bounds above \(SafeRegex.maxRepeat) are not supported", at: start)
            }
            if let maximum, maximum < minimum { throw fail("{m,n} with n smaller than m", at: start) }
            return (minimum, maximum)
        }

        mutating func parseAtom() throws(SyntaxError) -> Tree {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "("):
                let start = index
                index += 1
                if peek == UInt8(ascii: "?") {
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") else {
                        throw fail("only '(?:' groups are supported (no lookaround, named groups or flags)", at: start)
                    }
                    index += 2
                }
                depth += 1
                guard depth <= 16 else { throw fail("groups nested deeper than 16", at: start) }
                let inner = try parseAlternation()
                guard peek == UInt8(ascii: ")") else { throw fail("unclosed '('", at: start) }
                index += 1
                depth -= 1
                return inner
            case UInt8(ascii: "["):
                return .set(try parseClass())
            case UInt8(ascii: "."):
                index += 1
                return .set(ByteSet().inverted())
            case UInt8(ascii: "^"):
                index += 1
                return .lineStart
            case UInt8(ascii: "$"):
                index += 1
                return .lineEnd
            case UInt8(ascii: "\\"):
                return .set(try parseEscape(inClass: false))
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"):
                throw fail("nothing to repeat")
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                throw fail("unescaped '\(Character(Unicode.Scalar(c)))'; write '\\\(Character(Unicode.Scalar(c)))'")
            default:
                index += 1
                return .set(literal(c))
            }
        }

        func literal(_ c: UInt8) -> ByteSet {
            var set = ByteSet()
            set.insert(c)
            return caseInsensitive ? set.caseFolded() : set
        }

        mutating func parseEscape(inClass: Bool) throws(SyntaxError) -> ByteSet {
            let start = index
            index += 1
            guard let c = peek else { throw fail("pattern ends with '\\'", at: start) }
            index += 1
            var set = ByteSet()
            switch c {
            case UInt8(ascii: "d"): set.insert(UInt8(ascii: "0")...UInt8(ascii: "9"))
            case UInt8(ascii: "w"):
                set.insert(UInt8(ascii: "0")...UInt8(ascii: "9"))
                set.insert(UInt8(ascii: "a")...UInt8(ascii: "z"))
                set.insert(UInt8(ascii: "A")...UInt8(ascii: "Z"))
                set.insert(UInt8(ascii: "_"))
            case UInt8(ascii: "s"): for b: UInt8 in [9, 10, 11, 12, 13, 32] { set.insert(b) }
            case UInt8(ascii: "t"): set.insert(9)
            case UInt8(ascii: "n"): set.insert(10)
            default:
                // Escaped punctuation is a literal; escaped letters and digits would be
                // backreferences or classes of other dialects: refuse rather than guess.
                let isPunctuation = (33...47).contains(c) || (58...64).contains(c) || (91...96).contains(c) || (123...126).contains(c)
                guard isPunctuation else { throw fail("unsupported escape '\\\(Character(Unicode.Scalar(c)))'", at: start) }
                set.insert(c)
                return caseInsensitive ? set.caseFolded() : set
            }
            return set
        }

        mutating func parseClass() throws(SyntaxError) -> ByteSet {
            let start = index
            index += 1
            var set = ByteSet()
            var negated = false
            if peek == UInt8(ascii: "^") { negated = true; index += 1 }
            var first = true
            while true {
                guard let c = peek else { throw fail("unclosed '['", at: start) }
                if c == UInt8(ascii: "]") && !first { index += 1; break }
                first = false
                if c == UInt8(ascii: "[") { throw fail("'[' inside a class (POSIX classes are not supported); write '\\['") }
                var low: UInt8
                if c == UInt8(ascii: "\\") {
                    let escaped = try parseEscape(inClass: true)
                    // A multi-byte escape (\d, \w, \s) cannot start a range.
                    var count = 0, only: UInt8 = 0
                    for b in 0...255 where escaped.contains(UInt8(b)) { count += 1; only = UInt8(b) }
                    if count != 1 { set = union(set, escaped); continue }
                    low = only
                } else {
                    guard c < 0x80 else { throw fail("non-ASCII character in a class") }
                    low = c
                    index += 1
                }
                if peek == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: "]") {
                    index += 1
                    var high = bytes[index]
                    if high == UInt8(ascii: "\\") {
                        let escaped = try parseEscape(inClass: true)
                        guard let single = (0...255).first(where: { escaped.contains(UInt8($0)) }) else { throw fail("bad range end") }
                        high = UInt8(single)
                    } else {
                        guard high < 0x80 else { throw fail("non-ASCII character in a class") }
                        index += 1
                    }
                    guard low <= high else { throw fail("class range out of order", at: index - 1) }
                    set.insert(low...high)
                } else {
                    set.insert(low)
                }
            }
            if caseInsensitive { set = set.caseFolded() }
            return negated ? set.inverted() : set
        }

        func union(_ a: ByteSet, _ b: ByteSet) -> ByteSet {
            ByteSet(words: (a.words.0 | b.words.0, a.words.1 | b.words.1, a.words.2 | b.words.2, a.words.3 | b.words.3))
        }
    }

    // MARK: Compiling (Thompson construction)

    struct Compiler {
        var program: [Instruction] = []

        mutating func append(_ instruction: Instruction) throws(SyntaxError) -> Int {
            guard program.count < SafeRegex.maxProgram else {
                throw SyntaxError(position: 1, message: "pattern expands to more than \(SafeRegex.maxProgram) steps; use fewer or smaller repetitions")
            }
            program.append(instruction)
            return program.count - 1
        }

        mutating func emit(_ tree: Tree) throws(SyntaxError) {
            switch tree {
            case .empty: break
            case .set(let set): _ = try append(.byte(set))
            case .lineStart: _ = try append(.lineStart)
            case .lineEnd: _ = try append(.lineEnd)
            case .concat(let items): for item in items { try emit(item) }
            case .alternation(let branches):
                var jumps = [Int]()
                for (i, branch) in branches.enumerated() {
                    if i < branches.count - 1 {
                        let split = try append(.split(0, 0))
                        try emit(branch)
                        jumps.append(try append(.jump(0)))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeated(let inner, let minimum, let maximum):
                for _ in 0..<minimum { try emit(inner) }
                if let maximum {
                    // Optional copies: each may be skipped to the end.
                    var splits = [Int]()
                    for _ in minimum..<maximum {
                        splits.append(try append(.split(0, 0)))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let split = try append(.split(0, 0))
                    try emit(inner)
                    _ = try append(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }

    // MARK: Simulation

    struct Simulation {
        let program: [Instruction]
        var mark: [Int]
        var generation = 0
        var stack: [Int] = []
        var steps = 0

        init(program: [Instruction]) {
            self.program = program
            mark = Array(repeating: -1, count: program.count)
            // Marks bound what a step can push (each instruction once, a split twice):
            // room for it at once instead of growing per evaluation.
            stack.reserveCapacity(2 * program.count)
        }

        /// Adds `pc` and everything reachable from it without reading a byte;
        /// true when that reaches the match.
        mutating func add(_ pc: Int, to list: inout [Int], position: Int, count: Int) -> Bool {
            stack.append(pc)
            while let pc = stack.popLast() {
                guard mark[pc] != generation else { continue }
                mark[pc] = generation
                steps &+= 1
                switch program[pc] {
                case .jump(let target): stack.append(target)
                case .split(let a, let b): stack.append(b); stack.append(a)
                case .lineStart: if position == 0 { stack.append(pc + 1) }
                case .lineEnd: if position == count { stack.append(pc + 1) }
                case .match: stack.removeAll(keepingCapacity: true); return true
                case .byte: list.append(pc)
                }
            }
            return false
        }

        mutating func run(_ input: [UInt8]) -> Bool {
            var current = [Int](), next = [Int]()
            current.reserveCapacity(program.count)
            next.reserveCapacity(program.count)
            generation += 1
            if add(0, to: &current, position: 0, count: input.count) { return true }
            for (position, byte) in input.enumerated() {
                generation += 1
                next.removeAll(keepingCapacity: true)
                for pc in current {
                    if case .byte(let set) = program[pc], set.contains(byte) {
                        if add(pc + 1, to: &next, position: position + 1, count: input.count) { return true }
                    }
                }
                // A search: a new attempt starts at every position.
                if add(0, to: &next, position: position + 1, count: input.count) { return true }
                swap(&current, &next)
            }
            return false
        }
    }
}
