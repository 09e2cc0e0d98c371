// Each line below must be refused by the declarations (test/api.test.js runs tsc on it).
import { diagnose, diagnoseResponse, rule } from "..";

diagnose({ status: "422" });
diagnose({ operaton: "create-case" });
diagnoseResponse(429, 12345);
rule(5);
const d = diagnose();
d.rule = "x";
import { triageFetch } from "../fetch";
import { install } from "../axios";
import axios from "axios";
triageFetch(globalThis.fetch, { tokens: 5 });
install(axios.create(), { deadline: "5" });
triageFetch(globalThis.fetch)("https://x", { debitura: { noResend: "yes" } });
