/**
 * Licenciamento de Software Comercial: licences, subscriptions and renewals of off-the-shelf software —
 * part of `software` (which also covers development, sustainment and SaaS). From real objects such as
 * "Aquisições de Licenças de Softwares" and "LICENÇAS DE SOFTWARE AUTODESK".
 */
import type { SectorData } from "../sector-types.ts";

export const SOFTWARE_LICENCAS: SectorData = {
  id: "software_licencas",
  name: "Licenciamento de Software Comercial",
  description:
    "Licenças, subscrições e renovações de software de prateleira: sistemas operacionais, escritório, CAD, antivírus, bancos de dados.",
  typicalValue: { min: 20_000, max: 3_000_000 },
  words: [
    "antivírus",
    "autodesk",
    "autocad",
    "microsoft",
    "adobe",
    "oracle",
    "vmware",
    "office365",
    "subscrição",
  ],
  phrases: [
    "licença de software",
    "licença de uso de software",
    "licenciamento de software",
    "licença perpétua",
    "licença de uso",
    "renovação de licença",
    "subscrição de software",
    "assinatura de software",
    "microsoft office",
    "office 365",
    "microsoft 365",
    "windows server",
    "sql server",
    "google workspace",
    "sistema operacional",
    "suíte de escritório",
    "software antivírus",
    "proteção de endpoint",
    "licença de antivírus",
  ],
  ambiguous: ["licença", "licenciamento", "assinatura"],
  exclusions: [
    "licença ambiental",
    "licenciamento ambiental",
    "licenciamento de veículo",
    "licenciamento anual",
    "licença maternidade",
    "licença sanitária",
    "assinatura de jornal",
    "assinatura de revista",
    "assinatura digital",
    "assinatura eletrônica",
    "certificado digital",
  ],
  vetoes: [
    "curso de",
    "treinamento em",
    "cursos de",
    "aula de",
    "aulas de",
    "instrutor de",
    "capacitação em",
  ],
  examples: ["/buscar setor:software_licencas DF 7d", "/buscar licenças microsoft SP"],
  aliases: ["licenciamento de software"],
};
