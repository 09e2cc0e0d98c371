// Each line below must be refused by the declarations (test/api.test.js runs tsc on it).
import { diagnose, diagnoseResponse, rule } from "..";

diagnose({ status: "422" });
diagnose({ operaton: "create-case" });
diagnoseResponse(429, "not bytes");
rule(5);
const d = diagnose();
d.rule = "x";
