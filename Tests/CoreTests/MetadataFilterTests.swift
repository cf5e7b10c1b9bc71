import GatewaySchema
import Testing

@testable import GatewayCore

@Suite struct MetadataFilterTests {
    let doc: JSONObject = [
        "genre": "drama", "year": 2019, "rating": 4.5, "tags": ["a", "b"], "draft": false, "code": "2019",
    ]

    func matches(_ filter: JSONValue) throws -> Bool { try MetadataFilter.parse(filter).matches(doc) }

    @Test func equalityMembershipRangesAndLogic() throws {
        #expect(try matches(["genre": "drama"]))
        #expect(try !matches(["genre": "Drama"]))
        #expect(try matches(["year": 2019.0]))  // numbers by value
        #expect(try !matches(["year": "2019"]))  // …but not across types
        #expect(try matches(["code": "2019"]))
        #expect(try matches(["tags": "b"]))  // an array contains the value
        #expect(try matches(["tags": ["$in": ["z", "a"]]]))
        #expect(try matches(["tags": ["$nin": ["z"]]]) && !(try matches(["tags": ["$nin": ["a"]]])))
        #expect(try matches(["genre": ["$ne": "comedy"]]) && matches(["missing": ["$ne": 1]]))
        #expect(try matches(["year": ["$gte": 2019, "$lt": 2020]]))
        #expect(try !matches(["year": ["$gt": 2019]]))
        #expect(try matches(["rating": ["$lte": 4.5]]) && !(try matches(["rating": ["$lt": 4.5]])))
        #expect(try !matches(["code": ["$gt": 1]]))  // a string is never in a numeric range
        #expect(try matches(["draft": false, "genre": "drama"]))
        #expect(try !matches(["draft": false, "genre": "news"]))
        #expect(try matches(["$or": [["genre": "news"], ["year": ["$lt": 2020]]]]))
        #expect(try !matches(["$and": [["genre": "drama"], ["draft": true]]]))
        #expect(try matches(["missing": ["$exists": false], "genre": ["$exists": true]]))
    }

    @Test func mistakesNameTheirPath() {
        func problem(_ filter: JSONValue) -> String? {
            do {
                _ = try MetadataFilter.parse(filter)
                return nil
            } catch { return error.description }
        }
        #expect(problem(["year": ["$gte": "2019"]]) == "filter.year.$gte: $gte takes a number")
        #expect(problem(["$or": []]) == "filter.$or: must be a non-empty array of filters")
        #expect(problem(["$or": [["a": 1], "x"]]) == "filter.$or[1]: must be a non-empty object")
        #expect(problem(["$not": ["a": 1]])?.hasPrefix("filter.$not: unknown operator") == true)
        #expect(problem(["a": ["$regex": "x"]])?.hasPrefix("filter.a.$regex: unknown operator") == true)
        #expect(problem(["a": ["$in": [["x": 1]]]]) == "filter.a.$in[0]: must be a string, number or boolean")
        #expect(problem(["a": .null]) == "filter.a: must be a string, number or boolean")
        #expect(problem([:]) == "filter: must be a non-empty object")
        var deep: JSONValue = ["a": 1]
        for _ in 0..<10 { deep = ["$and": [deep]] }
        #expect(problem(deep)?.contains("nested too deeply") == true)
    }

    @Test func theCanonicalFormParsesToTheSameFilter() throws {
        let filter = try MetadataFilter.parse([
            "genre": ["$in": ["a", "b"]], "$or": [["year": ["$gte": 1, "$lt": 3]], ["draft": ["$exists": true]]],
        ])
        #expect(try MetadataFilter.parse(filter.json) == filter)
    }
}
