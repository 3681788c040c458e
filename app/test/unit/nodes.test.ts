import { expect } from "chai";
import { nodeMetadataURI, nodeStatusOf, parseNodeMetadata, sortNodes, type NodeRow } from "../../src/lib/nodes";

const ERA = 10n ** 18n;

function node(id: bigint, name: string, fields: Partial<NodeRow> = {}): NodeRow {
  return {
    id,
    name,
    description: "",
    website: "",
    metadataURI: "",
    operator: "0x0000000000000000000000000000000000000001",
    status: "active",
    bond: 10_000n * ERA,
    delegated: 0n,
    scoreBps: 0n,
    aprBps: 800n,
    ...fields,
  };
}

describe("nodes as the page lists them", () => {
  describe("parseNodeMetadata", () => {
    it("reads inline JSON metadata, URL-encoded or base64", () => {
      const metadata = { name: "Aurora", description: "Three regions.", website: "https://aurora.example" };
      expect(parseNodeMetadata(nodeMetadataURI(metadata))).to.deep.equal(metadata);
      const base64 = `data:application/json;base64,${Buffer.from(JSON.stringify({ name: "Borealis ✓" })).toString("base64")}`;
      expect(parseNodeMetadata(base64).name).to.equal("Borealis ✓");
    });

    it("fetches nothing: other URIs give no metadata", () => {
      expect(parseNodeMetadata("ipfs://bafy/metadata.json")).to.deep.equal({});
      expect(parseNodeMetadata("https://node.example/meta.json")).to.deep.equal({});
      expect(parseNodeMetadata("data:text/plain,hello")).to.deep.equal({});
    });

    it("ignores malformed metadata and unsafe links, and bounds the text", () => {
      expect(parseNodeMetadata("data:application/json,{not json")).to.deep.equal({});
      expect(parseNodeMetadata("data:application/json,%E0%A4%A")).to.deep.equal({});
      expect(parseNodeMetadata(nodeMetadataURI({ name: "x", website: "javascript:alert(1)" })).website).to.equal(
        undefined,
      );
      const long = parseNodeMetadata(nodeMetadataURI({ name: "n".repeat(500), description: "a\u0000b" }));
      expect(long.name).to.have.length(60);
      expect(long.description).to.equal("a b");
      expect(parseNodeMetadata('data:application/json,"just a string"')).to.deep.equal({});
    });
  });

  it("nodeStatusOf follows the registry's enum", () => {
    expect([0n, 1n, 2n].map(nodeStatusOf)).to.deep.equal(["unregistered", "active", "exiting"]);
  });

  describe("sortNodes", () => {
    const nodes = [
      node(1n, "aurora", { aprBps: 1_200n, delegated: 40n * ERA, bond: 25_000n * ERA, scoreBps: 10_000n }),
      node(2n, "Borealis", { aprBps: 960n, delegated: 65n * ERA, bond: 15_000n * ERA, scoreBps: 4_000n }),
      node(3n, "Cygnus 10", { aprBps: 800n, delegated: 0n, status: "exiting" }),
      node(4n, "Cygnus 9", { aprBps: 960n, delegated: 65n * ERA }),
    ];
    const ids = (rows: NodeRow[]) => rows.map((r) => Number(r.id));

    it("sorts by every column, both ways", () => {
      expect(ids(sortNodes(nodes, "apr", "desc"))).to.deep.equal([1, 2, 4, 3]);
      expect(ids(sortNodes(nodes, "apr", "asc"))).to.deep.equal([3, 2, 4, 1]);
      expect(ids(sortNodes(nodes, "delegated", "desc"))).to.deep.equal([2, 4, 1, 3]);
      expect(ids(sortNodes(nodes, "bond", "asc"))).to.deep.equal([3, 4, 2, 1]);
      expect(ids(sortNodes(nodes, "score", "desc"))).to.deep.equal([1, 2, 3, 4]);
      expect(ids(sortNodes(nodes, "status", "asc"))).to.deep.equal([1, 2, 4, 3]);
    });

    it("sorts names case-insensitively and numbers in them by value", () => {
      expect(ids(sortNodes(nodes, "name", "asc"))).to.deep.equal([1, 2, 4, 3]);
    });

    it("keeps node id order among equals, whatever the direction, and leaves its input alone", () => {
      expect(ids(sortNodes(nodes, "delegated", "asc"))).to.deep.equal([3, 1, 2, 4]);
      expect(ids(nodes)).to.deep.equal([1, 2, 3, 4]);
    });
  });
});
