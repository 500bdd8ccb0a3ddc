/**
 * The pt-BR usage of `smart-pncp` and of each subcommand (`smart-pncp <cmd> --help`, `smart-pncp help <cmd>`).
 * Plain constants: printing help loads nothing else.
 */

export const MAIN_HELP = `smart-pncp — licitações do PNCP no terminal e nos chats

Uso:
  smart-pncp search [CONSULTA] [opções]   busca licitações (veja smart-pncp search --help)
  smart-pncp chat [--as USUARIO] [--out PASTA]
                                          os comandos do chat no terminal
  smart-pncp plan show|set ...            mostra ou troca o plano de um usuário ou equipe
  smart-pncp billing setup|status ...     prepara o Stripe; mostra a assinatura de uma conta
  smart-pncp migrate                      aplica supabase/migrations ao banco configurado
  smart-pncp serve                        o servidor HTTP com os bots configurados
  smart-pncp backup ARQUIVO               cópia consistente do banco (pode rodar com o serve ligado)
  smart-pncp restore ARQUIVO              restaura um backup (pare o serve e os workers antes)
  smart-pncp worker [--grace SEGUNDOS]    executa as buscas da fila do Redis (REDIS_URL)
  smart-pncp sync ...                     sincroniza o índice local de licitações
  smart-pncp index ...                    consulta e mantém o índice local
  smart-pncp sectors [explain ...]        lista os setores; explica a decisão de um setor
  smart-pncp help COMANDO                 ajuda de um comando

Exemplo: smart-pncp search "uniformes SC PR 7d acima de 50 mil"
Configuração: variáveis de ambiente (veja .env.example e docs/setup.md).
`;

const SEARCH_HELP = `Uso: smart-pncp search [CONSULTA] [opções]

Busca licitações no PNCP. As opções valem mais que o texto da consulta.

Opções:
  --sector ID            setor (ex.: saude, informatica, vestuario; lista: /setores no chat)
  --terms "a b"          palavras a procurar no objeto ("entre aspas" para expressões)
  --uf SP,RJ             estados (sigla)
  --from AAAA-MM-DD      data inicial de publicação
  --to AAAA-MM-DD        data final de publicação
  --modalidades 6,8      códigos de modalidade do PNCP
  --min-value N          valor estimado mínimo (R$)
  --max-value N          valor estimado máximo (R$)
  --open                 só licitações com propostas abertas
  --json                 saída em JSON (um único objeto)
  --xlsx ARQUIVO|PASTA   salva a planilha; numa pasta, o nome é único por busca
  --pncp-url URL         outro endereço da API do PNCP (ex.: o PNCP local de testes)
  --as USUARIO           busca pelo plano de um usuário (cli:ana, telegram:123, slack:TEAM:USER)
  --live                 ignora o índice local e consulta só o PNCP ao vivo
  -h, --help             esta ajuda

Saída: 0 sucesso, 1 nada pôde ser buscado, 2 recusado pelo plano (--as).
Exemplos:
  smart-pncp search "uniformes SC PR 7d"
  smart-pncp search "setor:saude RJ acima de 100 mil" --json
  smart-pncp search "merenda escolar MG" --xlsx planilhas/
`;

const CHAT_HELP = `Uso: smart-pncp chat [--as USUARIO] [--out PASTA]

Os comandos do chat (/buscar, /setores, /plano, /assinar, /ajuda) no terminal: interativo, ou um
comando por linha com a entrada redirecionada.

Opções:
  --as USUARIO     quem está falando (padrão cli:local)
  --out PASTA      onde salvar as planilhas (criada se não existir; padrão: pasta atual)
  -h, --help       esta ajuda
`;

const PLAN_HELP = `Uso:
  smart-pncp plan show CHAVE [--json]
  smart-pncp plan set CHAVE PLANO [--days N]

CHAVE é um usuário (cli:ana, telegram:12345, whatsapp:5511999999999, slack:TEAM:USER) ou uma equipe
(team:slack:TEAM, team:telegram:GRUPO). PLANO é o id do plano (ex.: maquina); um id desconhecido
lista os planos existentes.

Opções:
  --days N         validade do plano em dias (padrão: sem data de fim)
  --json           saída em JSON
  -h, --help       esta ajuda
`;

const MIGRATE_HELP = `Uso: smart-pncp migrate

Aplica supabase/migrations ao banco configurado (DATABASE_URL, ou o banco embutido em DATA_DIR).
`;

const BACKUP_HELP = `Uso: smart-pncp backup ARQUIVO

Grava uma cópia consistente do banco configurado (o embutido em DATA_DIR, ou DATABASE_URL) em ARQUIVO
(NDJSON compactado com gzip, permissão 600: contém dados pessoais). Pode rodar com o serve ligado: tudo é
lido num único instante do banco, sem bloquear ninguém. O arquivo só aparece quando está completo.
Supabase: use pg_dump na connection string direta (docs/deploy.md#backups).
`;

const RESTORE_HELP = `Uso: smart-pncp restore ARQUIVO [--substituir]

Restaura um backup do smart-pncp backup no banco configurado, numa única transação (se algo falhar, nada
muda). Pare o serve e os workers antes. Recusa um banco que já tem contas, a menos que --substituir seja
usado (apaga tudo o que está no banco e põe o backup no lugar), e um backup de uma versão mais nova.

Opções:
  --substituir   apaga o conteúdo atual do banco e restaura o backup
`;

const SERVE_HELP = `Uso: smart-pncp serve

Inicia o servidor HTTP (PORT) com os bots configurados (Slack, Telegram, WhatsApp); Ctrl+C encerra.
`;

const WORKER_HELP = `Uso: smart-pncp worker [--grace SEGUNDOS]

Executa os trabalhos da fila no Redis (REDIS_URL): as buscas recebidas pelo smart-pncp serve e a
sincronização do índice (uma por vez, entre todos os workers). Rode quantos quiser, em qualquer máquina
com acesso ao Redis e ao banco. Sem REDIS_URL, o serve faz tudo sozinho e o worker não é necessário.

Ctrl+C (ou SIGTERM) encerra com calma: as buscas em andamento terminam; as que passarem do prazo voltam
para a fila e outro worker as executa.

Opções:
  --grace SEGUNDOS   prazo para terminar as buscas em andamento ao encerrar (padrão 30)
  -h, --help         esta ajuda

Variáveis: WORKER_CONCURRENCY (buscas pequenas ao mesmo tempo, padrão 4), WORKER_LARGE_CONCURRENCY
(buscas grandes, padrão 1), JOB_LOCK_MS, JOB_ATTEMPTS, JOB_BACKOFF_MS, QUEUE_PREFIX.
`;

const BILLING_HELP = `Uso:
  smart-pncp billing setup
  smart-pncp billing status CHAVE [--json]

setup: cria na conta Stripe de STRIPE_SECRET_KEY os produtos e os preços mensais dos planos pagos da
tabela de planos (lookup keys consultor_agil_monthly, maquina_monthly, sala_guerra_monthly). Pode rodar
de novo: o que já existe é mantido; um valor que mudou na tabela ganha um preço novo (o antigo é
arquivado). Use uma chave de teste (sk_test_…) para experimentar sem cobrar ninguém.

status: mostra o cliente Stripe, a assinatura, o período e pagamentos pendentes de uma conta. CHAVE é
telegram:123, whatsapp:5511999999999, slack:TEAM:USER, ou team:slack:TEAM / team:telegram:GRUPO.

Opções:
  --json       saída em JSON
  -h, --help   esta ajuda

Variáveis: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET (o webhook é PUBLIC_BASE_URL/stripe/webhook),
STRIPE_PRICE_<PLANO> (preço fixo em vez do lookup key), BILLING_GRACE_DAYS (padrão 7).
`;

/**
 * Usage by subcommand name (null prototype: user text is looked up here). `sync` and `index` print their
 * own usage (their modules handle `--help`).
 */
export const COMMAND_HELP: Readonly<Record<string, string>> = Object.assign(Object.create(null), {
  search: SEARCH_HELP,
  billing: BILLING_HELP,
  chat: CHAT_HELP,
  plan: PLAN_HELP,
  migrate: MIGRATE_HELP,
  serve: SERVE_HELP,
  backup: BACKUP_HELP,
  restore: RESTORE_HELP,
  worker: WORKER_HELP,
});
